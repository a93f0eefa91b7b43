"""The cohort the export tests share: one campus, one past session, an agreement, and three people."""

import datetime

import pytest
from django.utils import timezone

from inscriptions.enums import Diploma, FollowUpMilestone, Gender, Placement, QpvResidence, Situation
from inscriptions.workflow import Status
from tests.campus.factories import CampusPageFactory
from tests.financeurs.factories import AgreementFactory, FunderFactory, days_ago, funder_user
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, LearnerFactory

BIRTH_DATE = datetime.date(2003, 2, 14)


@pytest.fixture
def campus():
    return CampusPageFactory(title="Campus des Courtillières")


@pytest.fixture
def session(campus):
    return SessionFactory(
        formation=FormationPageFactory(parent=campus, title="Technicien·ne d’assistance informatique"),
        start_date=days_ago(300),
        end_date=days_ago(210),
        application_deadline=days_ago(310),
        capacity=20,
    )


@pytest.fixture
def agreement(campus):
    return AgreementFactory(
        funder=FunderFactory(name="Région Île-de-France"),
        reference="REG/IDF 2026-014",
        campuses=[campus],
        targets={"part_femmes": 30, "candidats": 10},
    )


@pytest.fixture
def funder_a(agreement):
    return funder_user(agreement.funder)


@pytest.fixture
def one_person_classes(settings):
    """k = 1: every row shown as it is (months, not days), for the tests that read a file's format back; the
    k-anonymity itself is tested with k = 5 in test_exports_anonymity.py."""
    settings.PARTICIPANT_FILE_K = 1


@pytest.fixture
def people(session):
    """Awa certified with follow-ups (one formula-looking), Bilal dropped out without any, Chloé still applying."""
    awa = ApplicationFactory(
        session=session,
        status=Status.CERTIFIED,
        left_on=days_ago(200),
        learner=LearnerFactory(
            first_name="Awa",
            last_name="Zerbinati",
            user__email="awa.zerbinati@courriel.example",
            birth_date=BIRTH_DATE,
            postcode="93812",
            gender=Gender.FEMALE,
            qpv_residence=QpvResidence.YES,
            diploma=Diploma.NONE,
            rqth=True,
            named_data_consent_at=timezone.now(),
        ),
    )
    FollowUpFactory(
        application=awa, milestone=FollowUpMilestone.EXIT, placement=Placement.CDI, employer="Atelier Numérique"
    )
    FollowUpFactory(
        application=awa,
        milestone=FollowUpMilestone.SIX_MONTHS,
        placement=Placement.CDD_SHORT,
        employer="+33 6 12 34 56 78",
        job_title='=HYPERLINK("http://pirate.example","clic")',
    )
    bilal = ApplicationFactory(
        session=session,
        status=Status.DROPPED_OUT,
        left_on=days_ago(250),
        learner=LearnerFactory(
            first_name="Bilal",
            last_name="Quennevilliers",
            user__email="bilal.q@courriel.example",
            postcode="92417",
            gender=Gender.MALE,
            situation=Situation.EMPLOYED,
        ),
    )
    chloe = ApplicationFactory(
        session=session,
        status=Status.SUBMITTED,
        learner=LearnerFactory(
            first_name="Chloé", last_name="Ravenscroft", user__email="chloe.r@courriel.example", postcode="95276"
        ),
    )
    return {"awa": awa, "bilal": bilal, "chloe": chloe}
