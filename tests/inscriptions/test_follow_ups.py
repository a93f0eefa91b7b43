"""What became of learners, at exit, 6 and 12 months: recorded when due, corrected in place, listed when missing."""

import datetime

import pytest
from django.utils import timezone

from inscriptions.enums import FollowUpMilestone, FollowUpSource, Placement
from inscriptions.models import Application, FollowUp, add_months
from inscriptions.services import Refused, follow_ups_due, record_follow_up
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to

EXIT, SIX, TWELVE = FollowUpMilestone.EXIT, FollowUpMilestone.SIX_MONTHS, FollowUpMilestone.TWELVE_MONTHS


def months_ago(months):
    today = timezone.localdate()
    day = add_months(today, -months)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


def left(session, staff, months, status=Status.COMPLETED):
    """An application whose learner began and left the training `months` ago."""
    application = move_to(ApplicationFactory(session=session), Status.IN_TRAINING, actor=staff, now=months_ago(months))
    exit_step = Status.DROPPED_OUT if status == Status.DROPPED_OUT else Status.COMPLETED
    move_to(application, exit_step, actor=staff, now=months_ago(months))
    if status in {Status.CERTIFIED, Status.NOT_CERTIFIED}:
        move_to(application, status, actor=staff)
    return application


def test_follow_ups_are_recorded_at_exit_six_and_twelve_months(session, staff):
    application = left(session, staff, 13, status=Status.CERTIFIED)
    record_follow_up(application, EXIT, placement=Placement.INTERNSHIP, recorded_by=staff, employer="Mairie")
    record_follow_up(application, SIX, placement=Placement.CDD_LONG, recorded_by=staff, job_title="Technicienne")
    follow_up = record_follow_up(
        application,
        TWELVE,
        placement=Placement.CDI,
        source=FollowUpSource.SURVEY,
        employer="Société Générale",
        start_date=timezone.localdate() - datetime.timedelta(days=20),
    )
    assert follow_up.is_positive
    assert list(application.follow_ups.values_list("milestone", "placement")) == [
        (EXIT, Placement.INTERNSHIP),
        (SIX, Placement.CDD_LONG),
        (TWELVE, Placement.CDI),
    ]
    assert application.follow_ups.get(milestone=EXIT).recorded_by == staff
    assert application.follow_ups.get(milestone=TWELVE).source == FollowUpSource.SURVEY


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ADMITTED, Status.ENROLLED, Status.IN_TRAINING])
def test_no_follow_up_before_leaving_the_training(session, staff, status):
    application = move_to(ApplicationFactory(session=session), status, actor=staff)
    with pytest.raises(Refused, match="après la sortie"):
        record_follow_up(application, EXIT, placement=Placement.CDI)
    assert not FollowUp.objects.exists()


def test_a_dropout_is_followed_up_too(session, staff):
    application = left(session, staff, 0, status=Status.DROPPED_OUT)
    assert application.left_on == timezone.localdate()
    record_follow_up(application, EXIT, placement=Placement.JOB_SEEKING)
    assert application.follow_ups.count() == 1


def test_a_follow_up_cannot_be_recorded_long_before_it_is_due(session, staff):
    application = left(session, staff, 1)
    with pytest.raises(Refused, match="à partir du") as refused:
        record_follow_up(application, SIX, placement=Placement.CDI)
    due = add_months(application.left_on, 6) - datetime.timedelta(days=31)
    assert due.strftime("%d/%m/%Y") in refused.value.reason
    with pytest.raises(Refused):
        record_follow_up(application, TWELVE, placement=Placement.CDI)
    assert not FollowUp.objects.exists()


def test_a_follow_up_may_be_recorded_a_few_weeks_early(session, staff):
    application = left(session, staff, 5)
    record_follow_up(application, SIX, placement=Placement.ALTERNANCE)
    assert application.follow_ups.get().milestone == SIX


def test_recording_again_corrects_the_follow_up(session, staff):
    application = left(session, staff, 2)
    first = record_follow_up(application, EXIT, placement=Placement.INTERIM, employer="Adecco")
    corrected = record_follow_up(application, EXIT, placement=Placement.CDI, employer="Orange", recorded_by=staff)
    assert corrected.pk == first.pk
    assert FollowUp.objects.count() == 1
    corrected.refresh_from_db()
    assert (corrected.placement, corrected.employer, corrected.recorded_by) == (Placement.CDI, "Orange", staff)


def test_follow_ups_due_lists_exactly_the_missing_ones_per_milestone(session, staff):
    thirteen_months = left(session, staff, 13, status=Status.NOT_CERTIFIED)
    seven_months = left(session, staff, 7)
    seven_months_done = left(session, staff, 7, status=Status.DROPPED_OUT)
    one_month = left(session, staff, 1)
    move_to(ApplicationFactory(session=session), Status.IN_TRAINING, actor=staff)
    record_follow_up(seven_months_done, EXIT, placement=Placement.JOB_SEEKING)
    record_follow_up(seven_months_done, SIX, placement=Placement.TRAINING)
    record_follow_up(thirteen_months, SIX, placement=Placement.CDI)

    due = follow_ups_due(Application.objects.all())

    assert set(due) == {EXIT, SIX, TWELVE}
    assert list(due[EXIT]) == [thirteen_months, seven_months, one_month]
    assert list(due[SIX]) == [seven_months]
    assert list(due[TWELVE]) == [thirteen_months]


def test_follow_ups_due_keeps_to_the_queryset_it_is_given(session, staff):
    mine = left(session, staff, 2)
    other_session = SessionFactory(past=True)
    theirs = left(other_session, UserFactory(staff_of=other_session.campus), 2)

    due = follow_ups_due(Application.objects.visible_to(staff))
    assert list(due[EXIT]) == [mine]
    assert theirs in follow_ups_due(Application.objects.all())[EXIT]
    assert list(follow_ups_due(Application.objects.visible_to(UserFactory()))[EXIT]) == []


def test_follow_ups_due_on_a_given_day(session, staff):
    application = left(session, staff, 2)
    assert list(follow_ups_due(Application.objects.all(), today=application.left_on)[EXIT]) == [application]
    before = application.left_on - datetime.timedelta(days=1)
    assert list(follow_ups_due(Application.objects.all(), today=before)[EXIT]) == []
