"""Refunds through Stripe always end: owed in the same transaction as the decision, sent again with the same key
until Stripe takes them, followed by Stripe's events, staff alerted when they keep failing, the learner told."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone

from inscriptions import payments, refunds
from inscriptions.models import Payment, PaymentStatus, Refund, RefundCause, RefundState, StripeEvent
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to, paid_online
from tests.inscriptions.stripe_stub import StripeStub, event, signed_post

LEARNER_NOTICE = "[Tremplin] Votre paiement vous est remboursé"
STAFF_ALERT = "[Tremplin] Un remboursement n’aboutit pas"


@pytest.fixture
def session():
    return SessionFactory(capacity=1, price_cents=5000)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus, email="equipe@campus.example")


@pytest.fixture
def late_checkout(session, staff, stripe_stub):
    """A learner who opened the payment page, then lost her seat to the person waiting before paying."""
    application = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    payments.start_checkout(application, success_url="http://testserver/ok", cancel_url="http://testserver/ko")
    move_to(application, Status.WAITLISTED, actor=staff)
    move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    return Payment.objects.get(application=application)


def completed(payment, intent="pi_late", event_id=None):
    checkout = {
        "id": payment.stripe_checkout_session_id,
        "object": "checkout.session",
        "payment_status": "paid",
        "payment_intent": intent,
    }
    return event("checkout.session.completed", checkout, event_id=event_id)


def refund_requests(stub):
    return [request for request in stub.requests if request["url"].endswith("/v1/refunds")]


def sent(subject):
    return [message for message in mail.outbox if message.subject.startswith(subject)]


@pytest.fixture
def owed(session, staff):
    """A refund owed since t0, not tried yet."""
    payment = paid_online(ApplicationFactory(session=session), amount_cents=5000, intent="pi_paid")
    t0 = timezone.now()
    refund = refunds.owe_refund(payment, 5000, reason="Annulation", requested_by=staff, now=t0)
    return refund, t0


# --- A late payment whose refund Stripe refuses at first ------------------------------------------


@pytest.mark.parametrize("failure", ["500", "402", "timeout"])
def test_a_late_payment_refund_stripe_refuses_is_owed_then_sent_with_the_same_key(
    client, late_checkout, stripe_stub, failure, django_capture_on_commit_callbacks
):
    stripe_stub.fail_next(failure)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, completed(late_checkout))

    assert response.status_code == 200
    refund = Refund.objects.get(payment=late_checkout)
    assert (refund.state, refund.cause, refund.attempts, refund.amount_cents) == (
        RefundState.OWED,
        RefundCause.LATE_PAYMENT,
        1,
        5000,
    )
    assert refund.last_error.startswith("Stripe")
    assert refund.next_attempt_at > timezone.now() + datetime.timedelta(minutes=4)
    assert sent(LEARNER_NOTICE) == []

    with django_capture_on_commit_callbacks(execute=True):
        assert refunds.send_owed_refunds(now=refund.next_attempt_at) == 1

    refund.refresh_from_db()
    assert refund.state == RefundState.CONFIRMED and refund.last_error == "" and refund.next_attempt_at is None
    first, second = refund_requests(stripe_stub)
    assert first["headers"]["Idempotency-Key"] == second["headers"]["Idempotency-Key"] == refund.idempotency_key
    assert first["data"] == second["data"]
    late_checkout.refresh_from_db()
    assert (late_checkout.status, late_checkout.refunded_cents) == (PaymentStatus.REFUNDED, 5000)
    [notice] = sent(LEARNER_NOTICE)
    assert "50,00 €" in notice.body and "liste d’attente" in notice.body


def test_an_owed_refund_waits_longer_after_each_refusal(owed, stripe_stub, settings):
    refund, t0 = owed
    stripe_stub.fail_next("500", "402", "400", "timeout")
    expected_waits = [5, 10, 20, 40]
    now = t0
    for minutes in expected_waits:
        assert refunds.send_refund(refund.pk, now=now - datetime.timedelta(seconds=1)).attempts == refund.attempts
        refund = refunds.send_refund(refund.pk, now=now)
        assert refund.next_attempt_at == now + datetime.timedelta(minutes=minutes)
        now = refund.next_attempt_at
    assert refund.attempts == 4 and len(refund_requests(stripe_stub)) == 4
    assert refund.last_error == "Stripe n’a pas répondu à temps (connexion coupée ou trop lente)."
    assert refunds.retry_delay(30) == datetime.timedelta(hours=settings.REFUND_RETRY_MAX_DELAY_HOURS)


@pytest.mark.parametrize(
    "failure, said",
    [
        ("500", "Stripe est en panne en ce moment (erreur 500)."),
        ("402", "Stripe refuse le remboursement pour ce moyen de paiement (expired_card)."),
        ("400", "Stripe refuse la demande (charge_already_refunded)."),
        ("timeout", "Stripe n’a pas répondu à temps (connexion coupée ou trop lente)."),
    ],
)
def test_the_last_error_is_said_in_plain_french(owed, stripe_stub, failure, said):
    refund, t0 = owed
    stripe_stub.fail_next(failure)
    assert refunds.send_refund(refund.pk, now=t0).last_error == said


def test_staff_are_alerted_once_after_the_set_number_of_refusals(
    owed, stripe_stub, staff, settings, django_capture_on_commit_callbacks
):
    settings.REFUND_ALERT_AFTER_ATTEMPTS = 3
    refund, now = owed
    stripe_stub.fail_next("500", "500", "500", "500")
    for attempt in range(1, 5):
        with django_capture_on_commit_callbacks(execute=True):
            refund = refunds.send_refund(refund.pk, now=now)
        now = refund.next_attempt_at
        assert len(sent(STAFF_ALERT)) == (0 if attempt < 3 else 1)

    [alert] = sent(STAFF_ALERT)
    assert alert.to == [staff.email]
    assert "Stripe l’a refusé 3 fois" in alert.body
    assert "Dernière erreur : Stripe est en panne en ce moment (erreur 500)." in alert.body
    assert refund.is_failing and refund.state == RefundState.OWED


def test_a_refund_made_while_its_answer_was_lost_is_found_and_never_made_twice(owed, stripe_stub):
    refund, t0 = owed
    stripe_stub.fail_next("lost")
    refund = refunds.send_refund(refund.pk, now=t0)
    assert refund.state == RefundState.OWED
    stripe_stub.forget_idempotency_keys()  # the next try comes after Stripe's 24 hours

    refunds.send_owed_refunds(now=t0 + datetime.timedelta(days=2))

    refund.refresh_from_db()
    [made] = stripe_stub.made
    assert (refund.state, refund.stripe_refund_id) == (RefundState.CONFIRMED, made["id"])


def test_a_worker_that_can_wait_is_given_the_next_try_at_its_time(
    session, staff, stripe_stub, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    payment = paid_online(ApplicationFactory(session=session), amount_cents=5000, intent="pi_paid")
    with django_capture_on_commit_callbacks(execute=True):
        refund = refunds.owe_refund(payment, 5000, reason="Annulation", requested_by=staff)
    [queued] = default_task_backend.results
    assert (queued.task.func, queued.args, queued.task.run_after) == (refunds.send_owed_refund.func, [refund.pk], None)

    stripe_stub.fail_next("500")
    with django_capture_on_commit_callbacks(execute=True):
        refund = refunds.send_refund(refund.pk)

    retry = default_task_backend.results[-1]
    assert retry.args == [refund.pk] and retry.task.run_after == refund.next_attempt_at


def test_the_command_sends_what_is_due_and_leaves_the_rest(owed, stripe_stub, capsys):
    refund, t0 = owed
    stripe_stub.fail_next("500")
    refunds.send_refund(refund.pk, now=t0)

    call_command("send_owed_refunds")  # five minutes have not passed

    assert len(refund_requests(stripe_stub)) == 1
    assert "Encore dus : 1." in capsys.readouterr().out
    assert refunds.send_owed_refunds(now=t0 + datetime.timedelta(minutes=5)) == 1
    assert Refund.objects.get().state == RefundState.CONFIRMED


# --- Nothing twice --------------------------------------------------------------------------------


def test_a_replayed_or_redelivered_late_payment_refunds_once(
    client, late_checkout, stripe_stub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, completed(late_checkout))
        assert signed_post(client, completed(late_checkout)).content.decode() == "déjà traité"
        other_delivery = completed(late_checkout, event_id="evt_same_checkout_again")
        assert signed_post(client, other_delivery).content.decode() == "déjà payé"
        refunds.send_owed_refunds(now=timezone.now() + datetime.timedelta(days=2))

    assert Refund.objects.count() == 1
    assert len(refund_requests(stripe_stub)) == 1
    assert len(sent(LEARNER_NOTICE)) == 1


def test_a_confirmation_told_twice_tells_the_learner_once(
    client, late_checkout, stripe_stub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, completed(late_checkout))
        refund = Refund.objects.get()
        succeeded = {"id": refund.stripe_refund_id, "object": "refund", "status": "succeeded"}
        signed_post(client, event("refund.updated", succeeded))
    assert Refund.objects.get().state == RefundState.CONFIRMED
    assert len(sent(LEARNER_NOTICE)) == 1


def test_a_webhook_whose_effect_fails_is_not_stored_and_its_redelivery_finishes_the_job(
    client, late_checkout, stripe_stub, monkeypatch, django_capture_on_commit_callbacks
):
    owe_refund = refunds.owe_refund

    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(refunds, "owe_refund", database_gone)
    payload = completed(late_checkout)

    response = signed_post(client, payload)

    assert response.status_code == 500
    assert not StripeEvent.objects.exists() and not Refund.objects.exists()
    late_checkout.refresh_from_db()
    assert late_checkout.status == PaymentStatus.PENDING

    monkeypatch.setattr(refunds, "owe_refund", owe_refund)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, payload)

    assert response.content.decode() == "place plus disponible : remboursement demandé"
    assert Refund.objects.get().state == RefundState.CONFIRMED
    assert StripeEvent.objects.get().outcome == "place plus disponible : remboursement demandé"


# --- Stripe's refund events -----------------------------------------------------------------------


def refund_object(refund, status, **extra):
    return {"id": refund.stripe_refund_id, "object": "refund", "status": status, **extra}


@pytest.mark.parametrize("event_type", ["refund.updated", "charge.refund.updated"])
def test_a_pending_refund_is_confirmed_by_its_event(
    client, owed, stripe_stub, event_type, django_capture_on_commit_callbacks
):
    refund, t0 = owed
    stripe_stub.refund_status = "pending"
    refund = refunds.send_refund(refund.pk, now=t0)
    assert refund.state == RefundState.SENT

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, event(event_type, refund_object(refund, "succeeded")))

    assert response.content.decode() == "remboursement confirmé"
    refund.refresh_from_db()
    assert refund.state == RefundState.CONFIRMED
    [notice] = sent("[Tremplin] Votre remboursement est confirmé")
    assert "50,00 €" in notice.body
    payment = Payment.objects.get(pk=refund.payment_id)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.REFUNDED, 5000)
    # An older "pending" delivered late does not undo the confirmation.
    late = event("refund.updated", refund_object(refund, "pending"), event_id="evt_older_pending")
    assert signed_post(client, late).content.decode() == "remboursement déjà connu"
    assert Refund.objects.get().state == RefundState.CONFIRMED


def test_a_refund_stripe_could_not_make_is_failed_and_staff_are_alerted(
    client, owed, stripe_stub, staff, django_capture_on_commit_callbacks
):
    refund, t0 = owed
    stripe_stub.refund_status = "pending"
    refund = refunds.send_refund(refund.pk, now=t0)

    failed = refund_object(refund, "failed", failure_reason="expired_or_canceled_card")
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(client, event("refund.failed", failed)).content.decode() == "remboursement échoué"

    refund.refresh_from_db()
    assert refund.state == RefundState.FAILED
    assert refund.last_error == (
        "Stripe n’a pas pu rendre l’argent (expired_or_canceled_card) : remboursez la personne autrement."
    )
    [alert] = sent(STAFF_ALERT)
    assert "remboursez cette personne par un autre moyen" in alert.body.lower()
    # The failed refund frees what it held: staff may refund the same amount again.
    stripe_stub.refund_status = "succeeded"
    payments.refund_payment(
        Payment.objects.get(pk=refund.payment_id), amount_cents=5000, reason="Virement", requested_by=staff
    )
    assert Refund.objects.filter(state=RefundState.CONFIRMED).count() == 1


def test_staff_told_of_refused_tries_are_told_again_when_the_refund_finally_fails(
    client, owed, stripe_stub, settings, django_capture_on_commit_callbacks
):
    settings.REFUND_ALERT_AFTER_ATTEMPTS = 1
    refund, t0 = owed
    stripe_stub.fail_next("500")
    stripe_stub.refund_status = "pending"
    with django_capture_on_commit_callbacks(execute=True):
        refund = refunds.send_refund(refund.pk, now=t0)
    refund = refunds.send_refund(refund.pk, now=refund.next_attempt_at)
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, event("refund.failed", refund_object(refund, "failed", failure_reason="unknown")))

    first, last = sent(STAFF_ALERT)
    assert "Stripe l’a refusé 1 fois" in first.body
    assert "par un autre moyen" in last.body


def test_a_refund_whose_answer_was_lost_is_recognised_by_its_event_and_not_sent_again(
    client, owed, stripe_stub, django_capture_on_commit_callbacks
):
    refund, t0 = owed
    stripe_stub.fail_next("timeout")
    refunds.send_refund(refund.pk, now=t0)
    made = {
        "id": "re_made_anyway",
        "object": "refund",
        "status": "succeeded",
        "metadata": {"payment_id": str(refund.payment_id), "refund_id": str(refund.pk)},
    }

    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(client, event("refund.created", made)).content.decode() == "remboursement confirmé"

    refunds.send_owed_refunds(now=t0 + datetime.timedelta(days=1))
    refund.refresh_from_db()
    assert (refund.state, refund.stripe_refund_id) == (RefundState.CONFIRMED, "re_made_anyway")
    assert len(refund_requests(stripe_stub)) == 1


def test_an_event_for_a_refund_we_never_asked_for_is_kept_and_answered_200(client):
    unknown = {"id": "re_dashboard", "object": "refund", "status": "succeeded"}
    response = signed_post(client, event("refund.updated", unknown))
    assert response.status_code == 200
    assert StripeEvent.objects.get().outcome == "remboursement inconnu"


# --- A refund told before its payment -------------------------------------------------------------


@pytest.fixture
def admitted_checkout(session, staff, stripe_stub):
    application = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    payments.start_checkout(application, success_url="http://testserver/ok", cancel_url="http://testserver/ko")
    return Payment.objects.get(application=application)


def charge_refunded(amount, intent="pi_early"):
    charge = {"id": "ch_early", "object": "charge", "payment_intent": intent, "amount_refunded": amount}
    return event("charge.refunded", charge, event_id=f"evt_refunded_{amount}")


def test_a_full_refund_told_before_its_payment_is_applied_when_the_payment_arrives(client, admitted_checkout):
    response = signed_post(client, charge_refunded(5000))
    assert response.status_code == 200

    answer = signed_post(client, completed(admitted_checkout, intent="pi_early")).content.decode()

    assert answer == "paiement reçu, déjà remboursé : place non confirmée"
    payment = Payment.objects.get(pk=admitted_checkout.pk)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.REFUNDED, 5000)
    assert payment.application.status == Status.ADMITTED
    stored = StripeEvent.objects.get(type="charge.refunded")
    assert stored.outcome == "remboursement enregistré (à l’arrivée du paiement)"


def test_a_partial_refund_told_before_its_payment_is_applied_and_the_seat_confirmed(client, admitted_checkout):
    signed_post(client, charge_refunded(1000))

    signed_post(client, completed(admitted_checkout, intent="pi_early"))

    payment = Payment.objects.get(pk=admitted_checkout.pk)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 1000)
    assert payment.application.status == Status.ENROLLED
    # Applied once: a redelivery of the same payment changes nothing.
    signed_post(client, completed(admitted_checkout, intent="pi_early", event_id="evt_again"))
    assert Payment.objects.get(pk=admitted_checkout.pk).refunded_cents == 1000


def test_a_refund_and_its_payment_told_at_the_same_moment_are_matched_by_the_command(client, admitted_checkout):
    signed_post(client, charge_refunded(1000))
    # The payment committed without seeing the refund event, still uncommitted at that moment.
    Payment.objects.filter(pk=admitted_checkout.pk).update(
        status=PaymentStatus.PAID, paid_at=timezone.now(), stripe_payment_intent_id="pi_early"
    )

    call_command("send_owed_refunds", verbosity=0)

    payment = Payment.objects.get(pk=admitted_checkout.pk)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 1000)
    assert payments.apply_refunds_told_before_payments() == 0


# --- What the learner sees ------------------------------------------------------------------------


def test_the_learner_space_shows_a_refund_on_its_way_then_done(
    client, late_checkout, stripe_stub, django_capture_on_commit_callbacks
):
    stripe_stub.fail_next("500")
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, completed(late_checkout))
    client.force_login(late_checkout.application.learner.user)

    assert "50 € en cours de remboursement depuis le" in client.get("/mon-espace/").content.decode()

    refunds.send_owed_refunds(now=timezone.now() + datetime.timedelta(minutes=6))
    page = client.get("/mon-espace/").content.decode()
    assert "50 € rendus le" in page and "en cours de remboursement" not in page


# --- The worker and the scheduled command at the same moment --------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_and_the_command_trying_one_refund_at_once_send_it_once(monkeypatch):
    stub = StripeStub()
    stub.refund_delay = 0.5
    monkeypatch.setattr(payments, "http_client", stub)
    payment = paid_online(
        ApplicationFactory(session=SessionFactory(price_cents=5000)), amount_cents=5000, intent="pi_paid"
    )
    refund = Refund.objects.create(
        payment=payment,
        amount_cents=5000,
        reason="Annulation",
        state=RefundState.OWED,
        next_attempt_at=timezone.now(),
        idempotency_key="tremplin-refund-once",
    )
    barrier = threading.Barrier(2, timeout=10)
    errors = []

    def try_it(send):
        try:
            barrier.wait()
            send()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=try_it, args=(lambda: refunds.send_owed_refund.call(refund.pk),)),
        threading.Thread(target=try_it, args=(lambda: refunds.send_refund(refund.pk),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(refund_requests(stub)) == 1
    refund.refresh_from_db()
    assert (refund.state, refund.attempts) == (RefundState.CONFIRMED, 1)
