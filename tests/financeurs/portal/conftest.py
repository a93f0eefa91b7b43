"""Two funders' agreements for the portal tests.

`campus` and `funder_a` override the export cohort's fixtures of the same names in tests/financeurs/conftest.py:
the portal tests need a campus and an agreement of their own, with the names and dates their pages show.
"""

import datetime

import pytest

from tests.campus.factories import CampusPageFactory
from tests.financeurs.factories import AgreementFactory, FunderFactory, funder_user


@pytest.fixture
def campus():
    return CampusPageFactory(title="Campus d’Aubervilliers")


@pytest.fixture
def agreement_a(campus):
    funder = FunderFactory(name="Région Île-de-France")
    return AgreementFactory(
        funder=funder,
        reference="REG-IDF-2026-014",
        title="Parcours numériques 2026",
        campuses=[campus],
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2027, 6, 30),
    )


@pytest.fixture
def agreement_b():
    funder = FunderFactory(name="Fondation Avenir")
    return AgreementFactory(
        funder=funder, reference="FOND-2026-003", title="Bourses Avenir", campuses=[CampusPageFactory()]
    )


@pytest.fixture
def funder_a(agreement_a):
    return funder_user(agreement_a.funder)
