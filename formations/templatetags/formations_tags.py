import json

from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def json_ld(data):
    """Serialise structured data for a <script type="application/ld+json"> block, safe from </script>."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_json_script_escapes))


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced, to keep filters in pagination links."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
