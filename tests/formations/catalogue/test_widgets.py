"""The catalogue's selects, written in Python for speed, give Django's HTML to the byte."""

import pytest
from django import forms

from formations.filters import CatalogueSelect, FormationFilterSet
from formations.models import FormationPage

CHOICES = [("", "Tous les campus"), (3, "Campus « Nord » & Sud"), ("b", "<b>gras</b>"), ("3", "Doublon")]


@pytest.mark.parametrize("value", [None, "", "3", 3, "b", "absent"])
@pytest.mark.parametrize(
    "attrs",
    [
        {"id": "id_campus"},
        {"id": "id_campus", "required": True, "disabled": False},
        {"id": "id_campus", "aria-invalid": "true", "aria-describedby": 'id_campus_erreur "x"'},
    ],
)
def test_catalogue_select_writes_the_same_html_as_django(value, attrs):
    fast = CatalogueSelect(attrs={"class": "choix"}, choices=CHOICES).render("campus", value, attrs)
    django = forms.Select(attrs={"class": "choix"}, choices=CHOICES).render("campus", value, attrs)
    assert fast == django
    assert 'value="3" selected' in fast or value not in (3, "3")


@pytest.mark.django_db
def test_catalogue_form_uses_the_fast_select_for_every_select():
    form = FormationFilterSet({}, queryset=FormationPage.objects.none()).form
    selects = [name for name, field in form.fields.items() if isinstance(field.widget, forms.Select)]
    assert selects
    assert all(type(form.fields[name].widget) is CatalogueSelect for name in selects)
