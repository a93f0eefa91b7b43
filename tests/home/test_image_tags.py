"""`srcset_image` from image_tags: Wagtail's tag, its filters read once per template."""

import pytest
from django.template import engines

from tests.formations.factories import photo

pytestmark = pytest.mark.django_db

TAG = '{% srcset_image image fill-{320x200,480x300} format-webp sizes="50vw" loading="lazy" alt="Deux apprenantes" %}'


def test_the_same_html_as_wagtails_tag():
    image = photo()
    ours = engines["django"].from_string("{% load image_tags %}" + TAG)
    wagtails = engines["django"].from_string("{% load wagtailimages_tags %}" + TAG)

    assert ours.render({"image": image}) == wagtails.render({"image": image})
    assert 'srcset="' in ours.render({"image": image})
    assert ours.render({"image": None}) == ""


def test_the_filters_are_read_once_per_template():
    template = engines["django"].from_string("{% load image_tags %}" + TAG)
    node = next(node for node in template.template.nodelist if hasattr(node, "get_filters"))

    template.render({"image": photo()})
    template.render({"image": photo()})

    first, again = node.get_filters(), node.get_filters()
    assert [f.spec for f in first] == ["fill-320x200|format-webp", "fill-480x300|format-webp"]
    assert all(a is b for a, b in zip(first, again, strict=True))
