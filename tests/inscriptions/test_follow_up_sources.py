"""Follow-ups from three sources: a staff entry outranks the learner's survey answer, which outranks a file.

How imports show and settle their conflicts is in test_imports_follow_ups.py and tests/transferts/.
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from inscriptions.enums import FollowUpSource, Placement
from inscriptions.models import Application, FollowUp, FollowUpSurvey, add_months
from inscriptions.surveys import send_due_surveys
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, move_to
from tests.inscriptions.test_surveys import SIX, answer, survey_url, token_in


@pytest.mark.parametrize(
    ("source", "other", "outranks"),
    [
        (FollowUpSource.STAFF, FollowUpSource.SURVEY, True),
        (FollowUpSource.STAFF, FollowUpSource.IMPORT, True),
        (FollowUpSource.SURVEY, FollowUpSource.IMPORT, True),
        (FollowUpSource.SURVEY, FollowUpSource.STAFF, False),
        (FollowUpSource.IMPORT, FollowUpSource.SURVEY, False),
        (FollowUpSource.IMPORT, FollowUpSource.IMPORT, False),
    ],
)
def test_a_staff_entry_outranks_an_answer_which_outranks_a_file(source, other, outranks):
    assert source.outranks(other) is outranks


# --- The learner's answer -------------------------------------------------------------------------


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def sent(session, staff, django_capture_on_commit_callbacks):
    """A learner who left six months ago and just received the survey: (application, token)."""
    day = add_months(timezone.localdate(), -6)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    application = move_to(ApplicationFactory(session=session), Status.COMPLETED, actor=staff, now=moment)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_surveys() == 1
    return application, token_in(mail.outbox[-1])


def test_the_answer_never_replaces_the_staffs_entry_and_is_passed_to_the_team(sent, client, staff):
    application, token = sent
    FollowUpFactory(application=application, milestone=SIX, placement=Placement.ALTERNANCE, recorded_by=staff)

    response = client.post(survey_url(token), answer(placement=Placement.CDI, employer="La Poste"))

    page = response.content.decode()
    assert "Merci pour vos réponses" in page
    # The page tells the truth: the answer did not change what the team recorded.
    assert "avait déjà noté votre situation" in page
    assert "C’est enregistré" not in page
    follow_up = FollowUp.objects.get(application=application)
    assert (follow_up.placement, follow_up.source, follow_up.recorded_by) == (
        Placement.ALTERNANCE,
        FollowUpSource.STAFF,
        staff,
    )
    assert FollowUpSurvey.objects.get().answered_at is not None
    (note,) = application.notes.all()
    assert note.author == application.learner.user
    assert note.text.startswith("Réponse au questionnaire de suivi (À 6 mois) : CDI · La Poste · depuis le 01/")
    assert "Le suivi saisi par l’équipe est gardé tel quel" in note.text


def test_the_answer_replaces_a_follow_up_imported_from_a_file(sent, client, staff):
    application, token = sent
    imported = FollowUpFactory(
        application=application,
        milestone=SIX,
        placement=Placement.JOB_SEEKING,
        source=FollowUpSource.IMPORT,
        recorded_by=staff,
        recorded_at=timezone.now() - datetime.timedelta(days=5),
    )

    response = client.post(survey_url(token), answer(placement=Placement.CDI, employer="La Poste"))

    assert "C’est enregistré" in response.content.decode()
    follow_up = FollowUp.objects.get(application=application)
    assert follow_up.pk == imported.pk
    assert (follow_up.placement, follow_up.employer, follow_up.source, follow_up.recorded_by) == (
        Placement.CDI,
        "La Poste",
        FollowUpSource.SURVEY,
        None,
    )
    assert timezone.localdate(follow_up.recorded_at) == timezone.localdate()
    assert not application.notes.exists()


def test_an_answer_that_cannot_be_a_follow_up_any_more_still_reaches_the_team(sent, client, staff):
    application, token = sent
    # The team moved the person back into training after the survey left.
    Application.objects.filter(pk=application.pk).update(status=Status.IN_TRAINING, left_on=None)

    response = client.post(survey_url(token), answer())

    assert "Merci pour vos réponses" in response.content.decode()
    assert not FollowUp.objects.filter(application=application).exists()
    (note,) = application.notes.all()
    assert "Le suivi se fait après la sortie de formation." in note.text
