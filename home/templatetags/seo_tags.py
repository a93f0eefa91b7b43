from django import template
from django.conf import settings

from home import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context, form=None):
    request = context.get("request")
    if request is None:
        return ""
    return seo.canonical_url(request, page=context.get("page"), form=form)


@register.simple_tag(takes_context=True)
def meta_description(context):
    """The description a view gave (`meta_description`), else the page's, else the site's."""
    if text := context.get("meta_description"):
        return seo.describe(text)
    if page := context.get("page"):
        return seo.page_description(page)
    return seo.describe(seo.default_description())


@register.simple_tag(takes_context=True)
def share_title(context):
    """The title shown when a link is shared: the view's (`share_title`), else the page's, else the site's name."""
    if title := context.get("share_title"):
        return title
    if page := context.get("page"):
        return getattr(page, "seo_title", "") or page.title
    return settings.WAGTAIL_SITE_NAME


@register.simple_tag(takes_context=True)
def shareable(context):
    """Whether the page is one to find and share: not a space that holds personal data (nor the admin)."""
    request = context.get("request")
    return request is not None and not request.path.startswith(tuple(settings.PRIVATE_URL_PREFIXES))


@register.simple_tag
def site_name():
    return settings.WAGTAIL_SITE_NAME
