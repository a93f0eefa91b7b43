"""The public catalogue at /formations/, its queries: as many for 30 formations as for 3."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.campus.factories import CampusPageFactory
from tests.formations.catalogue.browsing import ERROR_SUMMARY, browse, in_days, titles
from tests.formations.factories import (
    CertificationFactory,
    DomainFactory,
    FormationPageFactory,
    RomeCodeFactory,
    SessionFactory,
)


def add_formations(campuses, count):
    domain, certification, job = DomainFactory(), CertificationFactory(), RomeCodeFactory(code="M1844")
    for number in range(count):
        formation = FormationPageFactory(
            parent=campuses[number % len(campuses)], domain=domain, certification=certification, target_jobs=[job]
        )
        SessionFactory(formation=formation, start_date=in_days(10 + number))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "formation", "places": "on", "tri": "duree", "metier": "M1844"},
        {"rythme": "temps_plein", "debut_min": "2000-01-01", "places": "on"},
    ],
)
def test_the_catalogue_needs_as_many_queries_for_30_formations_as_for_3(client, settings, home_page, params):
    settings.CATALOGUE_PAGE_SIZE = 50
    campuses = [CampusPageFactory() for _ in range(3)]
    add_formations(campuses, 3)
    browse(client, params)  # Warm the site and content type caches.

    with CaptureQueriesContext(connection) as three:
        response = browse(client, params)
    assert len(titles(response)) == 3
    assert ERROR_SUMMARY not in response.content.decode()
    add_formations(campuses, 27)
    with CaptureQueriesContext(connection) as thirty:
        response = browse(client, params)
    assert len(titles(response)) == 30

    assert len(thirty) == len(three)
