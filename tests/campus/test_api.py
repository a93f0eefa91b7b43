"""The public API's campuses, /api/v2/pages/?type=campus.CampusPage (docs/api.md)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.campus.factories import CampusPageFactory, QpvFactory, UserFactory

API = "/api/v2/pages/"
CAMPUSES = {"type": "campus.CampusPage"}


def test_a_campus_gives_its_public_fields(client, home_page):
    campus = CampusPageFactory(
        title="Campus de Bondy",
        summary="Le campus du quartier.",
        street_address="3 rue de la Paix",
        postcode="93140",
        commune="Bondy",
        insee_code="93010",
        qpv=QpvFactory(code="QP093010", name="Blanqui", communes="Bondy"),
        phone="01 02 03 04 05",
        opening_hours="Lundi : 9h – 18h",
        accessibility="<p>Accès en fauteuil</p>",
    )

    response = client.get(API, {**CAMPUSES, "fields": "*"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    [item] = response.json()["items"]
    assert item["meta"]["html_url"] == campus.full_url
    assert {key: item[key] for key in ["title", "summary", "street_address", "postcode", "commune", "insee_code"]} == {
        "title": "Campus de Bondy",
        "summary": "Le campus du quartier.",
        "street_address": "3 rue de la Paix",
        "postcode": "93140",
        "commune": "Bondy",
        "insee_code": "93010",
    }
    assert item["qpv"] == {"code": "QP093010", "name": "Blanqui", "communes": "Bondy"}
    assert (item["latitude"], item["longitude"]) == ("48.914600", "2.382100")
    assert (item["email"], item["phone"]) == ("contact@campus.example", "01 02 03 04 05")
    assert item["opening_hours"] == "Lundi : 9h – 18h"
    assert item["accessibility"] == "<p>Accès en fauteuil</p>"


def test_campuses_are_filtered_by_their_fields(client, home_page):
    bondy = CampusPageFactory(commune="Bondy", postcode="93140")
    CampusPageFactory(commune="Aubervilliers")

    items = client.get(API, {**CAMPUSES, "commune": "Bondy"}).json()["items"]

    assert [item["id"] for item in items] == [bondy.pk]


def test_a_campus_tells_nothing_of_its_team(client, home_page):
    campus = CampusPageFactory()
    UserFactory(staff_of=campus, email="equipe.secrete@tremplin.example")
    campus.owner = UserFactory(email="proprietaire.secret@tremplin.example")
    campus.save()

    body = json.dumps(client.get(f"{API}{campus.pk}/", {"fields": "*"}).json(), ensure_ascii=False)

    assert "secret" not in body
    assert "staff_group" not in body and "collection" not in body and "owner" not in body
    assert client.get(API, {**CAMPUSES, "fields": "staff_group"}).status_code == 400
    assert client.get(API, {**CAMPUSES, "staff_group": "1"}).status_code == 400


def test_a_draft_campus_is_absent(client, home_page):
    draft = CampusPageFactory(live=False)

    assert draft.pk not in [item["id"] for item in client.get(API, CAMPUSES).json()["items"]]
    assert client.get(f"{API}{draft.pk}/").status_code == 404


@pytest.mark.parametrize("params", [{"fields": "*"}, {"fields": "*", "postcode": "93300", "order": "title"}])
def test_the_api_needs_as_many_queries_for_12_campuses_as_for_3(client, home_page, params):
    def add_campuses(count):
        for _ in range(count):
            CampusPageFactory(qpv=QpvFactory())

    add_campuses(3)
    params = {**CAMPUSES, **params}
    client.get(API, params)  # Warm the site and content type caches.
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(API, params).json()["items"]) == 3
    add_campuses(9)
    with CaptureQueriesContext(connection) as twelve:
        assert len(client.get(API, params).json()["items"]) == 12

    assert len(twelve) == len(three)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({**CAMPUSES, "latitude": "abc"}, "latitude"),
        ({**CAMPUSES, "qpv": "abc"}, "qpv"),
        ({**CAMPUSES, "qpv": "99999999999999999999999"}, "qpv"),
        ({**CAMPUSES, "id": "99999999999999999999999"}, "id"),
        ({"first_published_at": "hier"}, "first_published_at"),
    ],
)
def test_a_bad_field_filter_value_is_refused_naming_the_parameter(client, home_page, params, name):
    CampusPageFactory()

    response = client.get(API, params)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]
