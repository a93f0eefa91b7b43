"""The database refuses an application or a payment whose dates contradict its status, and migration 0005
repairs the rows that broke the rule before adding it."""

import contextlib
import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from formations.enums import FeeKind
from inscriptions.models import Application, Payment, PaymentMethod, PaymentStatus
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.inscriptions.factories import ApplicationFactory, move_to
from tests.inscriptions.lifted_constraints import check_constraints_lifted, execute

NOW = timezone.now().replace(microsecond=0)
REPAIR = "0005_application_payment_date_constraints"
ADDED_BY_REPAIR = {
    "application_decided_at_once_decided",
    "application_waitlisted_at_when_waitlisted",
    "application_left_on_iff_left_training",
    "payment_paid_at_iff_settled",
    "payment_refunded_cents_match_status",
}


def payment(status=PaymentStatus.PAID, **fields):
    values = {
        "application": ApplicationFactory(status=Status.ADMITTED),
        "amount_cents": 5000,
        "fee_kind": FeeKind.FEE,
        "method": PaymentMethod.CASH,
        "status": status,
        "paid_at": NOW if status != PaymentStatus.PENDING else None,
        **fields,
    }
    return Payment.objects.create(**values)


@pytest.mark.parametrize(
    ("status", "change"),
    [
        (Status.ADMITTED, {"decided_at": None}),
        (Status.REFUSED, {"decided_at": None}),
        (Status.CERTIFIED, {"decided_at": None}),
        (Status.SUBMITTED, {"decided_at": NOW}),
        (Status.CLOSED, {"decided_at": NOW}),
        (Status.WAITLISTED, {"waitlisted_at": None}),
        (Status.UNDER_REVIEW, {"waitlisted_at": NOW}),
        (Status.COMPLETED, {"left_on": None}),
        (Status.NOT_CERTIFIED, {"left_on": None}),
        (Status.IN_TRAINING, {"left_on": NOW.date()}),
        (Status.WITHDRAWN, {"left_on": NOW.date()}),
        (Status.IN_TRAINING, {"started_on": None}),
        (Status.DROPPED_OUT, {"started_on": None}),
        (Status.ENROLLED, {"started_on": NOW.date()}),
        (Status.CERTIFIED, {"certification_on": None}),
        (Status.NOT_CERTIFIED, {"certification_on": None}),
        (Status.COMPLETED, {"certification_on": NOW.date()}),
    ],
    ids=lambda value: str(value) if isinstance(value, str) else "-".join(value),
)
def test_the_database_refuses_an_application_whose_dates_contradict_its_status(status, change):
    application = ApplicationFactory(status=status)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(**change)


@pytest.mark.parametrize("decided_at", [None, NOW])
def test_a_withdrawn_application_may_have_been_decided_or_not(decided_at):
    application = ApplicationFactory(status=Status.WITHDRAWN)
    Application.objects.filter(pk=application.pk).update(decided_at=decided_at, waitlisted_at=decided_at)


@pytest.mark.parametrize(
    ("status", "fields"),
    [
        (PaymentStatus.PAID, {"paid_at": None}),
        (PaymentStatus.PENDING, {"paid_at": NOW}),
        (PaymentStatus.FAILED, {"paid_at": NOW}),
        (PaymentStatus.PAID, {"refunded_cents": 1000}),
        (PaymentStatus.PARTIALLY_REFUNDED, {"refunded_cents": 0}),
        (PaymentStatus.PARTIALLY_REFUNDED, {"refunded_cents": 5000}),
        (PaymentStatus.REFUNDED, {"refunded_cents": 1000}),
    ],
    ids=lambda value: str(value) if isinstance(value, str) else "-".join(value),
)
def test_the_database_refuses_a_payment_whose_date_or_refund_contradicts_its_state(status, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        payment(status, **fields)


def repair(apps, schema_editor):
    migration = importlib.import_module(f"inscriptions.migrations.{REPAIR}")
    return migration.repair(apps, schema_editor)


@contextlib.contextmanager
def rows_as_before_the_constraints():
    """Let contradicting rows in, as they could be before migration 0005, then check them again on the way out."""
    with check_constraints_lifted(ADDED_BY_REPAIR, [Application, Payment]):
        yield


def test_the_repair_fixes_rows_from_their_history_or_else_conservatively_and_reports_each(caplog):
    staff = UserFactory(superuser=True)
    decided = move_to(ApplicationFactory(), Status.ADMITTED, actor=staff, now=NOW - datetime.timedelta(days=9))
    waiting = move_to(ApplicationFactory(), Status.WAITLISTED, actor=staff, now=NOW - datetime.timedelta(days=8))
    left = move_to(ApplicationFactory(), Status.COMPLETED, actor=staff, now=NOW - datetime.timedelta(days=7))
    no_history = ApplicationFactory(status=Status.ENROLLED, status_changed_at=NOW - datetime.timedelta(days=6))
    never_decided = ApplicationFactory(status=Status.SUBMITTED)
    in_training = move_to(ApplicationFactory(), Status.IN_TRAINING, actor=staff)
    paid = payment(PaymentStatus.PAID, created_at=NOW - datetime.timedelta(days=5))
    pending = payment(PaymentStatus.PENDING)
    refunded = payment(PaymentStatus.PAID)
    untouched = move_to(ApplicationFactory(), Status.CERTIFIED, actor=staff)
    expected = {
        decided.pk: decided.decided_at,
        waiting.pk: waiting.waitlisted_at,
        left.pk: left.left_on,
    }

    with rows_as_before_the_constraints():
        Application.objects.filter(pk__in=[decided.pk, no_history.pk]).update(decided_at=None)
        Application.objects.filter(pk=waiting.pk).update(waitlisted_at=None)
        Application.objects.filter(pk=left.pk).update(left_on=None)
        Application.objects.filter(pk=never_decided.pk).update(decided_at=NOW, waitlisted_at=NOW)
        Application.objects.filter(pk=in_training.pk).update(left_on=NOW.date())
        Payment.objects.filter(pk=paid.pk).update(paid_at=None)
        Payment.objects.filter(pk=pending.pk).update(paid_at=NOW)
        Payment.objects.filter(pk=refunded.pk).update(status=PaymentStatus.REFUNDED, refunded_cents=1000)

        repaired = repair(django_apps, SimpleNamespace(connection=connection, execute=execute))

    rows = {application.pk: application for application in Application.objects.all()}
    assert rows[decided.pk].decided_at == expected[decided.pk]
    assert rows[waiting.pk].waitlisted_at == expected[waiting.pk]
    assert rows[left.pk].left_on == expected[left.pk]
    assert rows[no_history.pk].decided_at == no_history.status_changed_at
    assert (rows[never_decided.pk].decided_at, rows[never_decided.pk].waitlisted_at) == (None, None)
    assert rows[in_training.pk].left_on is None
    payments = {row.pk: row for row in Payment.objects.all()}
    assert payments[paid.pk].paid_at == paid.created_at
    assert payments[pending.pk].paid_at is None
    assert (payments[refunded.pk].status, payments[refunded.pk].refunded_cents) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        1000,
    )
    touched = {(model, pk) for model, pk, _problem in repaired}
    assert touched == {
        *(("candidature", application.pk) for application in (decided, waiting, left, no_history)),
        *(("candidature", application.pk) for application in (never_decided, in_training)),
        *(("paiement", row.pk) for row in (paid, pending, refunded)),
    }
    assert ("candidature", untouched.pk) not in touched
    for model, pk in touched:
        assert f"{model} n° {pk} :" in caplog.text
