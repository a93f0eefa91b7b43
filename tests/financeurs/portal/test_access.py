"""The funders' portal, who sees what: a funder's accounts their own agreements, a superuser all, others none."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.campus.factories import UserFactory
from tests.financeurs.factories import funder_user
from tests.financeurs.portal.pages import INDEX, cells, dashboard_url, soup


@pytest.mark.parametrize("where", ["index", "dashboard"])
def test_anonymous_visitor_is_sent_to_the_login_page_and_back(client, agreement_a, where):
    url = INDEX if where == "index" else dashboard_url(agreement_a)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse(settings.LOGIN_URL)}?next={url}"


@pytest.mark.parametrize("where", ["index", "dashboard"])
def test_account_of_no_funder_is_told_the_space_is_for_funders(client, agreement_a, where):
    user = UserFactory(email="awa@exemple.fr")
    client.force_login(user)

    response = client.get(INDEX if where == "index" else dashboard_url(agreement_a))

    assert response.status_code == 403
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Espace réservé aux financeurs"
    assert "Votre compte n’est rattaché à aucun financeur" in page.main.get_text()
    assert "awa@exemple.fr" in page.main.get_text()
    assert agreement_a.reference not in response.content.decode()


def test_funder_lists_only_its_own_agreements(client, funder_a, agreement_a, agreement_b):
    client.force_login(funder_a)

    response = client.get(INDEX)

    assert response.status_code == 200
    page = soup(response)
    assert [h2.get_text(strip=True) for h2 in page.main.find_all("h2")] == ["Région Île-de-France"]
    rows = page.main.find("table").tbody.find_all("tr")
    assert [cells(row) for row in rows] == [
        ["Parcours numériques 2026", "REG-IDF-2026-014", "du 01/01/2026 au 30/06/2027", "Campus d’Aubervilliers"]
    ]
    assert rows[0].find("a")["href"] == dashboard_url(agreement_a)
    assert agreement_b.reference not in response.content.decode()


def test_funder_never_opens_another_funders_dashboard(client, funder_a, agreement_b):
    client.force_login(funder_a)

    response = client.get(dashboard_url(agreement_b))

    assert response.status_code == 404
    assert agreement_b.title not in response.content.decode()


def test_an_inactive_funder_account_sees_nothing(client, funder_a, agreement_a):
    client.force_login(funder_a)
    funder_a.is_active = False
    funder_a.save()

    assert client.get(dashboard_url(agreement_a)).status_code == 302


def test_account_of_two_funders_sees_both_grouped_by_funder(client, agreement_a, agreement_b):
    user = funder_user(agreement_a.funder)
    agreement_b.funder.members.add(user)
    client.force_login(user)

    page = soup(client.get(INDEX))

    assert [h2.get_text(strip=True) for h2 in page.main.find_all("h2")] == ["Fondation Avenir", "Région Île-de-France"]
    assert client.get(dashboard_url(agreement_b)).status_code == 200


def test_superuser_sees_every_agreement(client, agreement_a, agreement_b):
    client.force_login(UserFactory(superuser=True))

    response = client.get(INDEX)

    page = response.content.decode()
    assert agreement_a.reference in page
    assert agreement_b.reference in page
    assert client.get(dashboard_url(agreement_b)).status_code == 200
