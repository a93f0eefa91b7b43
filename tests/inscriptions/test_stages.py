"""How far an application went: every status change raises its furthest stage, nothing lowers it, and the
database refuses a status below the stage recorded."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from formations.enums import FeeKind
from inscriptions.models import Application
from inscriptions.payments import release_expired_holds
from inscriptions.services import change_status, release_unpaid_seat, withdraw
from inscriptions.workflow import Role, Stage, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def session():
    return SessionFactory()


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


def stored(application):
    return Application.objects.get(pk=application.pk).furthest_stage


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        (Status.SUBMITTED, Stage.APPLIED),
        (Status.UNDER_REVIEW, Stage.APPLIED),
        (Status.WAITLISTED, Stage.APPLIED),
        (Status.REFUSED, Stage.APPLIED),
        (Status.WITHDRAWN, Stage.APPLIED),
        (Status.CLOSED, Stage.APPLIED),
        (Status.ADMITTED, Stage.ADMITTED),
        (Status.ENROLLED, Stage.ENROLLED),
        (Status.IN_TRAINING, Stage.STARTED),
        (Status.COMPLETED, Stage.STARTED),
        (Status.DROPPED_OUT, Stage.STARTED),
        (Status.CERTIFIED, Stage.STARTED),
        (Status.NOT_CERTIFIED, Stage.STARTED),
    ],
)
def test_each_status_stands_for_a_stage(status, stage):
    assert Stage.of(status) == stage


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        (Status.UNDER_REVIEW, Stage.APPLIED),
        (Status.ADMITTED, Stage.ADMITTED),
        (Status.ENROLLED, Stage.ENROLLED),
        (Status.IN_TRAINING, Stage.STARTED),
        (Status.CERTIFIED, Stage.STARTED),
    ],
)
def test_moving_along_the_pipeline_raises_the_furthest_stage(session, staff, status, stage):
    application = move_to(ApplicationFactory(session=session), status, actor=staff)

    assert application.furthest_stage == stage
    assert stored(application) == stage


@pytest.mark.parametrize(
    ("reached", "stage"),
    [(Status.WAITLISTED, Stage.APPLIED), (Status.ADMITTED, Stage.ADMITTED), (Status.ENROLLED, Stage.ENROLLED)],
)
def test_a_withdrawal_keeps_the_stage_reached(session, staff, reached, stage):
    application = move_to(ApplicationFactory(session=session), reached, actor=staff)

    withdraw(application, role=Role.STAFF, actor=staff)

    assert Application.objects.get(pk=application.pk).status == Status.WITHDRAWN
    assert stored(application) == application.furthest_stage == stage


@override_settings(STRIPE_SECRET_KEY="sk_test_x", PAYMENT_HOLD_HOURS=48)
def test_a_seat_released_for_want_of_payment_keeps_the_stage_admitted():
    session = SessionFactory(capacity=1, price_cents=5000, fee_kind=FeeKind.FEE)
    staff = UserFactory(staff_of=session.campus)
    unpaid = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    waiting = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    assert waiting.status == Status.WAITLISTED

    assert release_expired_holds(now=timezone.now() + datetime.timedelta(hours=49)) == 1

    unpaid.refresh_from_db()
    assert (unpaid.status, unpaid.furthest_stage) == (Status.WAITLISTED, Stage.ADMITTED)
    assert stored(waiting) == Stage.ADMITTED


def test_an_application_refused_after_losing_its_seat_still_counts_as_admitted(session, staff):
    application = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    release_unpaid_seat(application, role=Role.SYSTEM)

    change_status(application, Status.REFUSED, role=Role.STAFF, actor=staff, comment="La session a commencé.")

    assert stored(application) == Stage.ADMITTED


def test_an_application_created_in_a_later_status_starts_at_its_stage(session):
    assert stored(ApplicationFactory(session=session, status=Status.ENROLLED)) == Stage.ENROLLED
    assert stored(ApplicationFactory(session=session, status=Status.COMPLETED)) == Stage.STARTED


def test_saving_some_fields_only_still_writes_the_stage_reached(session):
    application = ApplicationFactory(session=session, status=Status.ADMITTED, decided_at=NOW)
    application.status = Status.ENROLLED
    application.save(update_fields=["status"])

    assert stored(application) == Stage.ENROLLED


def test_applications_written_in_bulk_get_their_stage_and_entry_facts(session):
    learner = LearnerFactory()
    started, enrolled = Application.objects.bulk_create(
        Application(
            learner_id=learner.pk,
            session=one_session,
            campus_id=one_session.campus_id,
            status=status,
            motivation="Je veux travailler dans le numérique.",
            decided_at=NOW,
            left_on=left_on,
        )
        for one_session, status, left_on in [
            (SessionFactory(past=True), Status.COMPLETED, NOW.date()),
            (session, Status.ENROLLED, None),
        ]
    )

    started, enrolled = Application.objects.get(pk=started.pk), Application.objects.get(pk=enrolled.pk)
    assert (started.furthest_stage, started.entry_diploma) == (Stage.STARTED, learner.diploma)
    assert (enrolled.furthest_stage, enrolled.entry_recorded_at) == (Stage.ENROLLED, None)


# --- The database refuses a contradiction ---------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "change"),
    [
        (Status.ADMITTED, {"furthest_stage": Stage.APPLIED}),
        (Status.ENROLLED, {"furthest_stage": Stage.ADMITTED}),
        (Status.IN_TRAINING, {"furthest_stage": Stage.ENROLLED}),
        (Status.CERTIFIED, {"furthest_stage": Stage.ADMITTED}),
        (Status.WITHDRAWN, {"furthest_stage": 4}),
        (Status.SUBMITTED, {"status": Status.ENROLLED, "decided_at": NOW}),
        (Status.COMPLETED, {"entry_recorded_at": None}),
        (Status.ENROLLED, {"entry_recorded_at": NOW}),
    ],
    ids=lambda value: str(value) if isinstance(value, str) else "-".join(value),
)
def test_the_database_refuses_a_status_below_the_stage_recorded(session, status, change):
    application = ApplicationFactory(session=session, status=status)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(**change)


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.REFUSED, Status.WAITLISTED])
def test_an_application_that_ended_may_have_reached_any_stage_before_training(session, status):
    application = ApplicationFactory(session=session, status=status)
    for stage in (Stage.APPLIED, Stage.ADMITTED, Stage.ENROLLED):
        Application.objects.filter(pk=application.pk).update(furthest_stage=stage)
