"""Stripe's webhook: only signed events count, each once, in any order, and a late payment never overbooks."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from inscriptions import payments
from inscriptions.models import Payment, PaymentStatus, Refund, StripeEvent
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to
from tests.inscriptions.stripe_stub import event, signed_post


@pytest.fixture
def session():
    return SessionFactory(capacity=2, price_cents=5000)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def admitted(session, staff):
    return move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)


@pytest.fixture
def checkout(admitted, stripe_stub):
    url = payments.start_checkout(admitted, success_url="http://testserver/ok", cancel_url="http://testserver/ko")
    payment = Payment.objects.get(application=admitted)
    return {"url": url, "payment": payment, "id": payment.stripe_checkout_session_id}


def completed(checkout_id, payment_status="paid", intent="pi_test_1"):
    return event(
        "checkout.session.completed",
        {"id": checkout_id, "object": "checkout.session", "payment_status": payment_status, "payment_intent": intent},
    )


def test_starting_a_checkout_sends_the_amount_and_the_application_to_stripe(checkout, stripe_stub, admitted):
    assert checkout["url"].startswith("https://checkout.stripe.com/")
    sent = stripe_stub.requests[0]
    assert sent["data"]["line_items[0][price_data][unit_amount]"] == "5000"
    assert sent["data"]["line_items[0][price_data][currency]"] == "eur"
    assert sent["data"]["metadata[application_id]"] == str(admitted.pk)
    assert sent["data"]["success_url"] == "http://testserver/ok"
    assert sent["headers"]["Idempotency-Key"].startswith("tremplin-checkout-")
    assert checkout["payment"].status == PaymentStatus.PENDING
    assert checkout["payment"].hold_expires_at > timezone.now()


def test_a_completed_checkout_records_the_payment_and_enrols_the_learner(
    client, checkout, admitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, completed(checkout["id"]))
    assert response.status_code == 200
    admitted.refresh_from_db()
    payment = Payment.objects.get(pk=checkout["payment"].pk)
    assert payment.status == PaymentStatus.PAID and payment.stripe_payment_intent_id == "pi_test_1"
    assert admitted.status == Status.ENROLLED
    assert admitted.history.last().comment == "Paiement reçu : inscription confirmée."
    assert any("Vous êtes inscrit·e" in message.subject for message in mail.outbox)


def test_a_replayed_event_does_nothing_the_second_time(client, checkout, admitted):
    payload = completed(checkout["id"])
    signed_post(client, payload)
    history = admitted.history.count()
    response = signed_post(client, payload)
    assert response.status_code == 200 and response.content.decode() == "déjà traité"
    assert admitted.history.count() == history
    assert StripeEvent.objects.filter(event_id=payload["id"]).count() == 1


def test_a_tampered_payload_is_refused_and_changes_nothing(client, checkout, admitted):
    response = signed_post(client, completed(checkout["id"]), tamper=lambda body: body.replace("paid", "paid "))
    assert response.status_code == 400
    admitted.refresh_from_db()
    assert admitted.status == Status.ADMITTED
    assert not StripeEvent.objects.exists()


def test_a_wrong_secret_or_a_missing_signature_is_refused(client, checkout):
    assert signed_post(client, completed(checkout["id"]), secret="whsec_someone_else").status_code == 400
    response = client.post("/paiements/stripe/webhook/", data="{}", content_type="application/json")
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_an_event_for_an_unknown_checkout_is_recorded_and_answered_200(client, checkout):
    response = signed_post(client, completed("cs_test_unknown"))
    assert response.status_code == 200
    assert StripeEvent.objects.get().outcome == "paiement inconnu"


def test_expiry_arriving_after_the_payment_does_not_undo_it(client, checkout, admitted):
    signed_post(client, completed(checkout["id"]))
    signed_post(client, event("checkout.session.expired", {"id": checkout["id"], "object": "checkout.session"}))
    assert Payment.objects.get(pk=checkout["payment"].pk).status == PaymentStatus.PAID
    admitted.refresh_from_db()
    assert admitted.status == Status.ENROLLED


def test_a_bank_transfer_that_fails_leaves_the_seat_unconfirmed(client, checkout, admitted):
    signed_post(client, completed(checkout["id"], payment_status="unpaid"))
    failed = event("checkout.session.async_payment_failed", {"id": checkout["id"], "object": "checkout.session"})
    signed_post(client, failed)
    assert Payment.objects.get(pk=checkout["payment"].pk).status == PaymentStatus.FAILED
    admitted.refresh_from_db()
    assert admitted.status == Status.ADMITTED


def test_a_delayed_payment_that_succeeds_enrols(client, checkout, admitted):
    signed_post(client, completed(checkout["id"], payment_status="unpaid"))
    succeeded = event(
        "checkout.session.async_payment_succeeded",
        {"id": checkout["id"], "object": "checkout.session", "payment_intent": "pi_late"},
    )
    signed_post(client, succeeded)
    admitted.refresh_from_db()
    assert admitted.status == Status.ENROLLED


def test_an_unpaid_hold_goes_to_the_next_person_waiting(session, staff, checkout, admitted):
    other = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    waiting = move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff)
    later = timezone.now() + datetime.timedelta(hours=49)

    assert payments.release_expired_holds(now=later) == 1

    admitted.refresh_from_db(), waiting.refresh_from_db(), other.refresh_from_db()
    assert admitted.status == Status.WAITLISTED
    assert waiting.status == Status.ADMITTED and other.status == Status.ADMITTED
    session.refresh_from_db()
    assert session.seats_taken == 2


def test_an_unpaid_hold_is_kept_when_nobody_waits(checkout, admitted):
    assert payments.release_expired_holds(now=timezone.now() + datetime.timedelta(hours=49)) == 0
    admitted.refresh_from_db()
    assert admitted.status == Status.ADMITTED


def test_a_payment_arriving_after_the_seat_was_given_away_is_refunded_and_never_overbooks(
    client, session, staff, checkout, admitted, stripe_stub, django_capture_on_commit_callbacks
):
    move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff)
    payments.release_expired_holds(now=timezone.now() + datetime.timedelta(hours=49))

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, completed(checkout["id"], intent="pi_too_late"))

    assert response.content.decode() == "place plus disponible : remboursement demandé"
    admitted.refresh_from_db()
    session.refresh_from_db()
    assert admitted.status == Status.WAITLISTED
    assert session.seats_taken == session.capacity == 2
    notice = [message for message in mail.outbox if message.subject == "[Tremplin] Votre paiement vous est remboursé"]
    assert len(notice) == 1 and "50,00 €" in notice[0].body and "liste d’attente" in notice[0].body
    refund_request = stripe_stub.requests[-1]
    assert refund_request["url"].endswith("/v1/refunds")
    assert refund_request["data"] == {
        "payment_intent": "pi_too_late",
        "amount": "5000",
        "metadata[payment_id]": str(checkout["payment"].pk),
        "metadata[refund_id]": str(Refund.objects.get().pk),
    }


def test_a_late_payment_enrols_when_a_seat_came_back_meanwhile(client, session, staff, checkout, admitted):
    other = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff)
    payments.release_expired_holds(now=timezone.now() + datetime.timedelta(hours=49))
    move_to(other, Status.WITHDRAWN, actor=staff)  # the freed seat goes back to the first waiting
    admitted.refresh_from_db()
    assert admitted.status == Status.ADMITTED

    signed_post(client, completed(checkout["id"]))

    admitted.refresh_from_db()
    session.refresh_from_db()
    assert admitted.status == Status.ENROLLED
    assert session.seats_taken == 2


def test_refund_events_only_ever_raise_the_refunded_total(client, checkout):
    signed_post(client, completed(checkout["id"], intent="pi_refund"))

    def refunded(amount, event_id):
        charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_refund", "amount_refunded": amount}
        return event("charge.refunded", charge, event_id=event_id)

    signed_post(client, refunded(5000, "evt_full"))
    signed_post(client, refunded(2000, "evt_partial_earlier"))  # older event, delivered late
    payment = Payment.objects.get(pk=checkout["payment"].pk)
    assert payment.refunded_cents == 5000 and payment.status == PaymentStatus.REFUNDED


def test_without_stripe_keys_online_payment_says_it_is_unavailable(admitted, settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(payments.PaymentUnavailable):
        payments.start_checkout(admitted, success_url="http://testserver/ok", cancel_url="http://testserver/ko")
    assert not Payment.objects.exists()


def test_the_hold_starts_at_admission_even_if_the_learner_never_opens_the_payment_page(
    session, staff, django_capture_on_commit_callbacks
):
    never_paid = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    waiting = move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff)

    assert payments.release_expired_holds(now=timezone.now() + datetime.timedelta(hours=47)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert payments.release_expired_holds(now=timezone.now() + datetime.timedelta(hours=49)) == 1

    never_paid.refresh_from_db(), waiting.refresh_from_db()
    assert (never_paid.status, waiting.status) == (Status.WAITLISTED, Status.ADMITTED)
    told = [message for message in mail.outbox if message.to == [never_paid.learner.email]][-1]
    assert "Nous n’avons pas reçu votre paiement" in told.body


def test_opening_the_payment_page_starts_the_hold_again(session, staff, admitted, stripe_stub):
    move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff)
    opened_late = timezone.now() + datetime.timedelta(hours=40)
    payments.start_checkout(
        admitted, success_url="http://testserver/ok", cancel_url="http://testserver/ko", now=opened_late
    )

    assert payments.hold_expires_at(admitted) == opened_late + datetime.timedelta(hours=48)
    assert payments.release_expired_holds(now=timezone.now() + datetime.timedelta(hours=49)) == 0
    assert payments.release_expired_holds(now=opened_late + datetime.timedelta(hours=49)) == 1


def test_without_online_payment_no_hold_is_released(session, staff, admitted, settings):
    settings.STRIPE_SECRET_KEY = ""
    move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff)
    assert payments.release_expired_holds(now=timezone.now() + datetime.timedelta(days=30)) == 0


def test_a_stored_event_keeps_ids_amounts_and_statuses_never_who_paid(client, checkout, admitted):
    payload = completed(checkout["id"])
    payload["data"]["object"].update(
        {
            "amount_total": 5000,
            "customer_details": {
                "name": "Awa Diallo",
                "email": "awa.diallo@courriel.example",
                "phone": "+33611223344",
                "address": {"line1": "12 rue des Lilas", "postal_code": "93300", "city": "Aubervilliers"},
            },
            "customer_email": "awa.diallo@courriel.example",
        }
    )

    assert signed_post(client, payload).status_code == 200

    stored = StripeEvent.objects.get(event_id=payload["id"]).payload
    assert stored["data"]["object"] == {
        "id": checkout["id"],
        "object": "checkout.session",
        "payment_status": "paid",
        "payment_intent": "pi_test_1",
        "amount_total": 5000,
    }
    assert "Awa" not in str(stored) and "courriel" not in str(stored) and "Lilas" not in str(stored)


@pytest.mark.parametrize(
    "damage",
    [
        lambda payload: payload.pop("type"),
        lambda payload: payload.pop("id"),
        lambda payload: payload["data"].pop("object"),
        lambda payload: payload.update(data={"object": "cs_test"}),
        lambda payload: payload.update(data=None),
    ],
    ids=["no type", "no id", "no data.object", "data.object not an object", "no data"],
)
def test_a_signed_but_malformed_event_is_refused_plainly_and_nothing_is_stored(client, checkout, damage):
    payload = completed(checkout["id"])
    damage(payload)

    response = signed_post(client, payload)

    assert response.status_code == 400
    assert "mal formé" in response.content.decode()
    assert not StripeEvent.objects.exists()
    assert not Payment.objects.filter(status=PaymentStatus.PAID).exists()
