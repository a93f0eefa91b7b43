"""Migration 0015 dates the steps of existing applications: the start from the history's move into "En formation"
(its local day), else the session's start; the certification's result from its own move, else the last change."""

import contextlib
import datetime
import importlib

from django.apps import apps as django_apps
from django.utils import timezone

from inscriptions.models import Application
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to
from tests.inscriptions.lifted_constraints import check_constraints_lifted

MIGRATION = "0018_dated_steps"
ADDED = {"application_started_on_iff_entered_training", "application_certification_on_iff_certification_decided"}
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def fill_dates():
    importlib.import_module(f"inscriptions.migrations.{MIGRATION}").fill_dates(django_apps, None)


@contextlib.contextmanager
def rows_as_before_the_constraints():
    """Let rows without their step dates in, as they were before migration 0018, then check them on the way out."""
    with check_constraints_lifted(ADDED, [Application]):
        yield


def at(day, hour=12, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)), datetime.UTC)


def test_the_steps_are_dated_from_the_history_or_else_the_session():
    staff = UserFactory(superuser=True)
    session = SessionFactory(start_date=TODAY - 60 * DAY, end_date=TODAY - 10 * DAY)
    # 23:30 in UTC is already the next day in Paris: the day kept is the local one.
    late_evening = at(TODAY - 50 * DAY, 23, 30)
    in_training = move_to(ApplicationFactory(session=session), Status.IN_TRAINING, actor=staff, now=late_evening)
    certified = move_to(ApplicationFactory(session=session), Status.COMPLETED, actor=staff, now=at(TODAY - 40 * DAY))
    move_to(certified, Status.CERTIFIED, actor=staff, now=at(TODAY - 5 * DAY))
    # Written straight in their status, without a move into "En formation" in their history.
    no_history = ApplicationFactory(session=session, status=Status.DROPPED_OUT, left_on=TODAY - 20 * DAY)
    not_certified = ApplicationFactory(
        session=session, status=Status.NOT_CERTIFIED, left_on=TODAY - 3 * DAY, status_changed_at=at(TODAY - 30 * DAY)
    )
    # A session moved later than the exit recorded: the start is not put after the exit.
    moved = ApplicationFactory(
        session=SessionFactory(start_date=TODAY + 30 * DAY), status=Status.COMPLETED, left_on=TODAY - 2 * DAY
    )
    enrolled = move_to(ApplicationFactory(session=session), Status.ENROLLED, actor=staff)

    with rows_as_before_the_constraints():
        Application.objects.update(started_on=None, certification_on=None)

        fill_dates()

    rows = {row.pk: (row.started_on, row.certification_on) for row in Application.objects.all()}
    assert rows[in_training.pk] == (TODAY - 49 * DAY, None)
    assert rows[certified.pk] == (TODAY - 40 * DAY, TODAY - 5 * DAY)
    assert rows[no_history.pk] == (session.start_date, None)
    # The result's day is the last change's, but never before the exit.
    assert rows[not_certified.pk] == (session.start_date, TODAY - 3 * DAY)
    assert rows[moved.pk] == (TODAY - 2 * DAY, None)
    assert rows[enrolled.pk] == (None, None)
