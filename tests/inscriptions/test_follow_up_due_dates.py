"""Each follow-up knows the day it falls due (the day of leaving, 6 or 12 months later), however it was written:
by the staff, from a survey answer, from an imported file or in bulk."""

import datetime

import pytest
from django.utils import timezone

from inscriptions.enums import FollowUpMilestone, FollowUpSource, Placement
from inscriptions.models import FollowUp, FollowUpSurvey, due_on
from inscriptions.services import record_follow_up
from inscriptions.surveys import record_answer
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory
from tests.inscriptions.test_imports_follow_ups import HEADER, prepare
from tests.transferts.test_import_reading import csv_bytes

EXIT, SIX, TWELVE = FollowUpMilestone.EXIT, FollowUpMilestone.SIX_MONTHS, FollowUpMilestone.TWELVE_MONTHS
# The 31st: six months later is the end of February, twelve months later the 31st again.
LEFT_ON = datetime.date(2025, 8, 31)


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def left(session):
    return ApplicationFactory(session=session, status=Status.COMPLETED, left_on=LEFT_ON)


def stored_due_on(application, milestone):
    return FollowUp.objects.get(application=application, milestone=milestone).due_on


@pytest.mark.parametrize(
    ("milestone", "day"),
    [(EXIT, LEFT_ON), (SIX, datetime.date(2026, 2, 28)), (TWELVE, datetime.date(2026, 8, 31))],
)
def test_a_follow_up_is_due_on_the_day_its_milestone_comes(milestone, day):
    assert due_on(LEFT_ON, milestone) == day


def test_no_due_date_before_the_learner_leaves():
    assert due_on(None, SIX) is None


def test_a_follow_up_recorded_by_the_staff_knows_its_due_date(left, staff):
    record_follow_up(left, SIX, placement=Placement.CDI, recorded_by=staff)
    record_follow_up(left, EXIT, placement=Placement.INTERNSHIP, recorded_by=staff)

    assert stored_due_on(left, SIX) == datetime.date(2026, 2, 28)
    assert stored_due_on(left, EXIT) == LEFT_ON


def test_a_follow_up_saved_with_some_fields_only_gets_its_due_date_too(left):
    follow_up = FollowUpFactory(application=left, milestone=TWELVE)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_on=None)

    follow_up.placement = Placement.CDD_LONG
    follow_up.save(update_fields=["placement"])

    assert stored_due_on(left, TWELVE) == datetime.date(2026, 8, 31)


def test_a_survey_answer_knows_its_due_date(left):
    now = timezone.now()
    survey = FollowUpSurvey.objects.create(
        application=left, milestone=SIX, token_hash="0" * 64, expires_at=now + datetime.timedelta(days=30)
    )

    assert record_answer(survey, placement=Placement.CDI, now=now)

    follow_up = FollowUp.objects.get(application=left, milestone=SIX)
    assert (follow_up.source, follow_up.due_on) == (FollowUpSource.SURVEY, datetime.date(2026, 2, 28))


def test_imported_follow_ups_know_their_due_date(session, staff, left):
    other = ApplicationFactory(session=session, status=Status.CERTIFIED, left_on=datetime.date(2025, 1, 15))
    rows = [
        HEADER,
        [str(left.pk), "6 mois", "CDI", "Orange", "Technicienne", "", ""],
        [str(left.pk), "sortie", "Stage", "Mairie", "Accueil", "", ""],
        [str(other.pk), "12 mois", "CDI", "SNCF", "Agent", "", ""],
    ]
    plan = prepare(csv_bytes(rows), session.campus, staff)
    assert plan.errors == []

    plan.write()

    assert stored_due_on(left, SIX) == datetime.date(2026, 2, 28)
    assert stored_due_on(left, EXIT) == LEFT_ON
    assert stored_due_on(other, TWELVE) == datetime.date(2026, 1, 15)


def test_follow_ups_written_in_bulk_without_a_due_date_get_it(left):
    FollowUp.objects.bulk_create(
        [
            FollowUp(application=left, milestone=EXIT, placement=Placement.JOB_SEEKING),
            FollowUp(application_id=left.pk, milestone=SIX, placement=Placement.CDI),
        ]
    )

    assert stored_due_on(left, EXIT) == LEFT_ON
    assert stored_due_on(left, SIX) == datetime.date(2026, 2, 28)


def test_a_correction_is_dated_the_day_it_is_made(left, staff):
    early = FollowUpFactory(application=left, milestone=SIX, placement=Placement.JOB_SEEKING)
    FollowUp.objects.filter(pk=early.pk).update(recorded_at=timezone.now() - datetime.timedelta(days=400))

    corrected = record_follow_up(left, SIX, placement=Placement.CDI, recorded_by=staff)

    # The indicators count a 6-month follow-up recorded on or after its due day: the correction is.
    assert corrected.recorded_at.date() >= corrected.due_on
    assert timezone.now() - corrected.recorded_at < datetime.timedelta(minutes=1)


def test_the_due_days_follow_a_corrected_exit_date(left):
    six_months = FollowUpFactory(application=left, milestone=SIX, placement=Placement.CDI)

    left.left_on = datetime.date(2026, 3, 31)
    left.save()

    assert stored_due_on(left, SIX) == datetime.date(2026, 9, 30)
    assert six_months.pk and FollowUp.objects.get(pk=six_months.pk).due_on == datetime.date(2026, 9, 30)
