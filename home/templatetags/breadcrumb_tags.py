from django import template

from home import routing

register = template.Library()


@register.filter
def breadcrumb_ancestors(page):
    """The pages above `page` in its breadcrumb, those routing already read when it serves the page."""
    return routing.breadcrumb_ancestors(page)
