"""Wagtail's `srcset_image`, its filters read once per template instead of at every image.

Wagtail builds the filters (fill-320x200, format-webp…) again each time the tag renders, and each one asks the
image-operation hooks again: about a quarter of a millisecond per size, three sizes per catalogue card. The
filters only depend on the template's text, so the node keeps them. Same tag, same HTML.
"""

from django import template
from django.utils.functional import cached_property
from wagtail.images.templatetags import wagtailimages_tags

register = template.Library()


class SrcsetImageNode(wagtailimages_tags.SrcsetImageNode):
    @cached_property
    def filters(self):
        return super().get_filters()

    def get_filters(self):
        return self.filters


@register.tag
def srcset_image(parser, token):
    node = wagtailimages_tags.image(parser, token)
    # Wagtail's parser picks its own node class by the tag's name: this one only adds the kept filters.
    node.__class__ = SrcsetImageNode
    return node
