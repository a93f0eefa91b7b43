"""The same Stripe event delivered twice at the same moment is acted on once (PostgreSQL row locks)."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from inscriptions import payments
from inscriptions.models import Payment, PaymentStatus, StripeEvent
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to
from tests.inscriptions.stripe_stub import StripeStub, event, signed_post


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_deliveries_of_one_event_enrol_once(monkeypatch):
    monkeypatch.setattr(payments, "http_client", StripeStub())
    session = SessionFactory(capacity=3, price_cents=2500)
    staff = UserFactory(staff_of=session.campus)
    application = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    payments.start_checkout(application, success_url="http://testserver/ok", cancel_url="http://testserver/ko")
    payment = Payment.objects.get(application=application)
    completed = event(
        "checkout.session.completed",
        {
            "id": payment.stripe_checkout_session_id,
            "object": "checkout.session",
            "payment_status": "paid",
            "payment_intent": "pi_twice",
        },
    )
    barrier = threading.Barrier(2, timeout=10)
    answers, errors = [], []

    def deliver():
        try:
            barrier.wait()
            answers.append(signed_post(Client(), completed).content.decode())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(answers) == ["déjà traité", "inscription confirmée"]
    application.refresh_from_db()
    assert application.status == Status.ENROLLED
    assert application.history.filter(to_status=Status.ENROLLED).count() == 1
    assert StripeEvent.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID


def test_the_hourly_command_releases_expired_holds(monkeypatch, capsys, settings):
    monkeypatch.setattr(payments, "http_client", StripeStub())
    settings.PAYMENT_HOLD_HOURS = 0
    session = SessionFactory(capacity=1, price_cents=2500)
    staff = UserFactory(staff_of=session.campus)
    holder = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    waiting = move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff)
    payments.start_checkout(holder, success_url="http://testserver/ok", cancel_url="http://testserver/ko")

    call_command("release_payment_holds")

    assert "Places libérées faute de paiement (plus de 0 heures) : 1." in capsys.readouterr().out
    holder.refresh_from_db(), waiting.refresh_from_db()
    assert (holder.status, waiting.status) == (Status.WAITLISTED, Status.ADMITTED)
