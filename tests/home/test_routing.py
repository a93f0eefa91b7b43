"""Serving a page: its ancestors read once on the way down (home.routing), its view restrictions still kept."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from home.models import StandardPage
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import FormationPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campus(campus_index):
    return CampusPageFactory(parent=campus_index, slug="bondy")


@pytest.fixture
def formation(campus):
    return FormationPageFactory(parent=campus, slug="developpeur-web", title="Développeur web")


def test_a_password_on_its_campus_keeps_a_formation_private_and_out_of_the_cache(client, campus, formation):
    PageViewRestriction.objects.create(page=campus, restriction_type=PageViewRestriction.PASSWORD, password="clé")

    for _ in range(2):  # The second time too: nothing was stored for anonymous visitors.
        response = client.get(formation.url)
        assert response.status_code == 200
        assert 'name="password"' in response.content.decode()
        assert "Développeur web" not in response.content.decode()


@pytest.mark.parametrize("restricted", ["formation", "campus_index", "home_page"])
def test_a_login_asked_by_the_page_or_an_ancestor_is_asked_before_the_page(client, request, formation, restricted):
    PageViewRestriction.objects.create(
        page=request.getfixturevalue(restricted), restriction_type=PageViewRestriction.LOGIN
    )

    response = client.get(formation.url)

    assert response.status_code == 302
    assert "/comptes/" in response["Location"] or "login" in response["Location"]


def test_a_group_restriction_on_the_tree_root_still_applies(client, formation):
    root = formation.get_ancestors().first()
    restriction = PageViewRestriction.objects.create(page=root, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="Équipe"))

    assert client.get(formation.url).status_code == 302


def test_an_alias_of_a_private_formation_is_private_too(client, formation):
    alias = formation.create_alias(update_slug="developpeur-web-bis")
    PageViewRestriction.objects.create(page=formation, restriction_type=PageViewRestriction.LOGIN)

    assert alias.alias_of_id == formation.pk
    assert client.get(alias.url).status_code == 302


def test_a_page_of_another_type_under_a_campus_is_still_served(client, campus):
    # Added before a rule on what a campus holds, or by code: routing finds it all the same.
    page = campus.add_child(instance=StandardPage(title="Venir au campus", slug="venir"))

    response = client.get(page.url)

    assert response.status_code == 200
    assert "Venir au campus" in response.content.decode()


def test_an_unknown_address_under_a_campus_is_not_found(client, campus, formation):
    assert client.get(f"{campus.url}pas-de-formation-ici/").status_code == 404
    assert client.get(f"{formation.url}plus-bas/").status_code == 404
