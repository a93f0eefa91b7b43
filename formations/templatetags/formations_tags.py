import json

from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

from formations.models import FormationPage

register = template.Library()

# Campus and home pages show formations through these tags: the apps below formations do not import it.


@register.inclusion_tag("formations/tags/campus_formations.html", takes_context=True)
def campus_formations(context, campus, limit=12):
    """The campus's next `limit` formations, soonest session first, and how many it has in all: the page stays
    short however many formations the campus publishes, and links to the catalogue for the others."""
    formations = FormationPage.objects.campus_next(campus, limit)
    for formation in formations:
        formation.__dict__["campus"] = campus
    return {
        "request": context.get("request"),
        "campus": campus,
        "formations": formations,
        "total": FormationPage.objects.live().public().child_of(campus).count(),
    }


@register.inclusion_tag("formations/tags/upcoming_formations.html", takes_context=True)
def upcoming_formations(context, limit=6):
    """The live formations whose next session starts soonest."""
    upcoming = FormationPage.objects.for_catalogue().filter(next_session_start__isnull=False)
    formations = FormationPage.attach_campuses(upcoming.order_by("next_session_start")[:limit])
    return {"request": context.get("request"), "upcoming_formations": formations}


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
