"""The facts at entry into training: the learner's profile and answers to the funders' questions copied onto the
application when the training starts, and never changed afterwards."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import (
    Diploma,
    Gender,
    JobSeekingDuration,
    Nationality,
    QpvResidence,
    Situation,
    YesNoUnsaid,
)
from inscriptions.models import Application, EntryAnswers
from inscriptions.services import export_learner_data, start
from inscriptions.workflow import Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, learner_profile_data, move_to

AT_ENTRY = {
    "entry_gender": Gender.FEMALE,
    "entry_diploma": Diploma.NONE,
    "entry_situation": Situation.JOB_SEEKER_REGISTERED,
    "entry_job_seeking_duration": JobSeekingDuration.MORE_THAN_2_YEARS,
    "entry_qpv_residence": QpvResidence.YES,
    "entry_rqth": True,
    "entry_nationality": Nationality.OTHER,
    "entry_foreign_background": YesNoUnsaid.YES,
    "entry_housing_exclusion": True,
    "entry_rural_area": True,
}


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def learner():
    return LearnerFactory(full_profile=True)


def entry_facts(application):
    application = Application.objects.get(pk=application.pk)
    return {field: getattr(application, field) for field in AT_ENTRY}


def test_nothing_is_recorded_before_the_training_starts(session, staff, learner):
    application = move_to(ApplicationFactory(session=session, learner=learner), Status.ENROLLED, actor=staff)

    assert Application.objects.get(pk=application.pk).entry_recorded_at is None


def test_starting_the_training_records_the_profile_as_it_is_that_day(session, staff, learner):
    application = move_to(ApplicationFactory(session=session, learner=learner), Status.ENROLLED, actor=staff)
    started_at = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=3)

    start(application, role=Role.STAFF, actor=staff, now=started_at)

    assert entry_facts(application) == AT_ENTRY
    assert Application.objects.get(pk=application.pk).entry_recorded_at == started_at
    assert application.entry_recorded_at == started_at


def test_a_profile_edited_before_the_training_starts_is_the_one_recorded(client, session, staff, learner):
    application = move_to(ApplicationFactory(session=session, learner=learner), Status.ENROLLED, actor=staff)
    client.force_login(learner.user)
    edit = learner_profile_data(diploma=Diploma.BAC, situation=Situation.STUDENT, job_seeking_duration="")
    assert client.post(reverse("inscriptions:profil"), edit).status_code == 302

    move_to(application, Status.IN_TRAINING, actor=staff)

    facts = entry_facts(application)
    assert (facts["entry_diploma"], facts["entry_situation"]) == (Diploma.BAC, Situation.STUDENT)


def test_a_profile_edit_after_entry_does_not_change_the_entry_facts(client, session, staff, learner):
    application = move_to(ApplicationFactory(session=session, learner=learner), Status.IN_TRAINING, actor=staff)
    client.force_login(learner.user)

    response = client.post(
        reverse("inscriptions:profil"),
        learner_profile_data(
            gender=Gender.MALE,
            diploma=Diploma.BAC_3_PLUS,
            situation=Situation.EMPLOYED,
            job_seeking_duration="",
            qpv_residence=QpvResidence.NO,
        ),
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.diploma, learner.situation) == (Diploma.BAC_3_PLUS, Situation.EMPLOYED)
    EntryAnswers.objects.filter(learner=learner).update(
        rqth=False, nationality=Nationality.FRENCH, foreign_background=YesNoUnsaid.NO, rural_area=None
    )

    move_to(application, Status.CERTIFIED, actor=staff)
    assert entry_facts(application) == AT_ENTRY


def test_each_application_keeps_the_profile_of_its_own_entry(session, staff, learner):
    first = move_to(ApplicationFactory(session=session, learner=learner), Status.COMPLETED, actor=staff)
    learner.diploma, learner.situation = Diploma.CAP_BEP, Situation.JOB_SEEKER_UNREGISTERED
    learner.save()

    later = SessionFactory(past=True, formation__parent=session.campus)
    second = move_to(ApplicationFactory(session=later, learner=learner), Status.IN_TRAINING, actor=staff)

    assert entry_facts(first)["entry_diploma"] == Diploma.NONE
    assert entry_facts(second)["entry_diploma"] == Diploma.CAP_BEP
    assert entry_facts(second)["entry_situation"] == Situation.JOB_SEEKER_UNREGISTERED


def test_the_learner_s_data_export_gives_the_entry_facts(session, staff, learner):
    started = move_to(ApplicationFactory(session=session, learner=learner), Status.IN_TRAINING, actor=staff)
    ApplicationFactory(learner=learner)

    exported = {row["statut"]: row for row in export_learner_data(learner)["candidatures"]}

    at_entry = exported["En formation"]["à_l_entrée_en_formation"]
    assert at_entry["entrée en formation enregistrée le"] == started.entry_recorded_at.isoformat()
    assert at_entry["diplôme à l’entrée"] == {"code": Diploma.NONE, "libellé": "Aucun diplôme"}
    assert at_entry["nationalité à l’entrée"]["code"] == Nationality.OTHER
    assert at_entry["RQTH à l’entrée"] is True
    assert exported["En formation"]["étape_la_plus_avancée"] == "est entré·e en formation"
    assert exported["Envoyée"]["à_l_entrée_en_formation"] is None
    assert exported["Envoyée"]["étape_la_plus_avancée"] == "a postulé"
