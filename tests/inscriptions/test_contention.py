"""Fifty people acting on one session at the same instant, on PostgreSQL, through the real pages: Stripe's webhook,
learners withdrawing, staff admitting and staff editing the capacity. Nobody gets a server error, the seats add up,
and every withdrawal is applied (a lost race is retried, and the lock order leaves no deadlock to lose)."""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from formations.models import Session
from inscriptions import payments
from inscriptions.models import Application, Payment, PaymentMethod, PaymentStatus, StripeEvent
from inscriptions.workflow import HOLDS_SEAT, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory, session_form_data
from tests.inscriptions.factories import ApplicationFactory, move_to
from tests.inscriptions.stripe_stub import StripeStub, event, signed_post
from tests.private_postgres import wait_for_free_connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOIN_TIMEOUT = 120
ROUNDS = 3
CAPACITY = 12


def race(requests):
    """Send each request from its own thread (own client, own connection), all released at the same instant.
    Returns the status codes, and the errors raised outside a response."""
    wait_for_free_connections(len(requests))
    barrier = threading.Barrier(len(requests), timeout=JOIN_TIMEOUT)
    codes, errors = [None] * len(requests), []

    def worker(index, request):
        try:
            barrier.wait()
            codes[index] = request().status_code
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "threads still running: a lock never came back"
    return codes, errors


def client_of(user):
    # A server error is a response to count, not an exception in the test: as a visitor would see it.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def pending_checkout(application):
    """An open Stripe payment page for this application, as start_checkout leaves it."""
    return Payment.objects.create(
        application=application,
        amount_cents=application.session.price_cents,
        fee_kind=application.session.fee_kind,
        method=PaymentMethod.STRIPE,
        stripe_checkout_session_id=f"cs_test_{uuid.uuid4().hex}",
        hold_expires_at=timezone.now() + datetime.timedelta(hours=1),
    )


def webhook(payment):
    paid = event(
        "checkout.session.completed",
        {
            "id": payment.stripe_checkout_session_id,
            "object": "checkout.session",
            "payment_status": "paid",
            "payment_intent": f"pi_{payment.pk}",
        },
    )
    return lambda: signed_post(Client(raise_request_exception=False), paid)


def withdrawal(application):
    client = client_of(application.learner.user)
    url = reverse("inscriptions:candidature_action", args=[application.pk, "retirer"])
    return lambda: client.post(url)


def admission(application, staff):
    client = client_of(staff)
    url = reverse("inscriptions_admin:transition", args=[application.pk])
    return lambda: client.post(url, {"target": Status.ADMITTED, "comment": ""})


def capacity_edit(session, staff, capacity):
    client = client_of(staff)
    data = session_form_data(session, capacity=capacity)
    url = reverse("sessions:edit", args=[session.pk])
    return lambda: client.post(url, data)


def one_round(staff_of_campus):
    session = SessionFactory(capacity=CAPACITY, price_cents=29000)
    staff = staff_of_campus(session)
    holders = [move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff) for _ in range(CAPACITY)]
    # Their seat went back to the waitlist while they were on Stripe's page: their payment arrives late.
    late_payers = [move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff) for _ in range(16)]
    submitted = [ApplicationFactory(session=session) for _ in range(10)]
    paying = holders[:6] + late_payers
    leaving = holders[6:] + late_payers[:4]  # four of the late payers also withdraw, at the moment they pay

    checkouts = [pending_checkout(application) for application in paying]
    requests = [webhook(payment) for payment in checkouts]
    requests += [withdrawal(application) for application in leaving]
    requests += [admission(application, staff) for application in submitted]
    requests += [capacity_edit(session, staff, capacity) for capacity in (10, 11, 12, 13) * 2]
    assert len(requests) == 50

    codes, errors = race(requests)

    assert errors == []
    assert [code for code in codes if code >= 500] == []
    session = Session.objects.get(pk=session.pk)
    holding = Application.objects.filter(session=session, status__in=HOLDS_SEAT).count()
    assert session.seats_taken == holding
    assert holding <= session.capacity
    assert set(Application.objects.filter(pk__in=[a.pk for a in leaving]).values_list("status", flat=True)) == {
        Status.WITHDRAWN
    }
    # Every payment arrived once: recorded, the seat confirmed or the money given back.
    assert StripeEvent.objects.filter(
        payload__data__object__id__in=[payment.stripe_checkout_session_id for payment in checkouts]
    ).count() == len(checkouts)
    still_pending = Payment.objects.filter(pk__in=[payment.pk for payment in checkouts], status=PaymentStatus.PENDING)
    assert not still_pending.exists()


def test_fifty_people_at_once_on_one_session_get_no_server_error_and_the_seats_add_up(monkeypatch):
    monkeypatch.setattr(payments, "http_client", StripeStub())
    for _ in range(ROUNDS):
        one_round(lambda session: UserFactory(staff_of=session.campus))


def test_staff_recording_the_same_cheque_at_once_leave_one_payment():
    session = SessionFactory(capacity=3, price_cents=29000)
    staff = [UserFactory(staff_of=session.campus) for _ in range(10)]
    application = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff[0])
    url = reverse("inscriptions_admin:manual_payment", args=[application.pk])
    double_click_key = uuid.uuid4().hex

    def record(user, key):
        client = client_of(user)
        return lambda: client.post(url, {"method": PaymentMethod.CHEQUE, "amount_cents": "290", "key": key})

    # Ten people of the team, each with the form open; then one of them clicking ten times on the same form.
    for requests in (
        [record(user, uuid.uuid4().hex) for user in staff],
        [record(staff[0], double_click_key) for _ in range(10)],
    ):
        Payment.objects.filter(application=application).delete()
        codes, errors = race(requests)

        assert errors == []
        assert [code for code in codes if code >= 500] == []
        assert Payment.objects.filter(application=application).count() == 1
    application.refresh_from_db()
    assert application.status == Status.ENROLLED
    assert application.history.filter(to_status=Status.ENROLLED).count() == 1
