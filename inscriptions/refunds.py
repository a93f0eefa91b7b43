"""Refunds through Stripe that always end: owed, sent until Stripe takes them, then confirmed or failed.

The decision to give money back (a late payment for a seat that is gone, a refund by staff) writes an owed Refund row
in its own transaction. Sending it is a separate step, tried at once, then again by the task worker and by
`send_owed_refunds` with a growing delay, always with the row's idempotency key: Stripe answers a repeated request
with the refund it already made, so money never goes back twice. Stripe's refund events then move the row on.
"""

import datetime
import logging
import uuid

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from inscriptions import payments
from inscriptions.locking import lock_payments
from inscriptions.models import Payment, PaymentStatus, Refund, RefundCause, RefundState

logger = logging.getLogger(__name__)

# Stripe's refund status, in our words.
STATE_OF_STRIPE_STATUS = {
    "pending": RefundState.SENT,
    "requires_action": RefundState.SENT,
    "succeeded": RefundState.CONFIRMED,
    "failed": RefundState.FAILED,
    "canceled": RefundState.FAILED,
}
# States only move forward: a late "pending" never undoes a confirmation. A confirmed refund may still fail
# (the bank sends the money back to Stripe), a failed one stays failed: staff refund another way.
RANK = {RefundState.OWED: 0, RefundState.SENT: 1, RefundState.CONFIRMED: 2, RefundState.FAILED: 3}


def retry_delay(attempts):
    """How long to wait after the n-th refused try: the first delay, doubled each time, up to the longest."""
    first = datetime.timedelta(minutes=settings.REFUND_RETRY_FIRST_DELAY_MINUTES)
    longest = datetime.timedelta(hours=settings.REFUND_RETRY_MAX_DELAY_HOURS)
    return min(first * 2 ** max(attempts - 1, 0), longest)


def owe_refund(
    payment, amount_cents, *, reason, cause=RefundCause.STAFF, requested_by=None, now=None, send_after_commit=True
):
    """Write down a refund through Stripe as owed; call inside the transaction that decides it.

    The worker sends it once that transaction commits (unless the caller sends it itself); if it never commits,
    nothing is owed and nothing is sent.
    """
    now = now or timezone.now()
    refund = Refund.objects.create(
        payment=payment,
        amount_cents=amount_cents,
        reason=reason[:300],
        requested_by=requested_by,
        cause=cause,
        state=RefundState.OWED,
        next_attempt_at=now,
        idempotency_key=f"tremplin-refund-{uuid.uuid4()}",
        created_at=now,
    )
    if send_after_commit:
        transaction.on_commit(lambda: send_owed_refund.enqueue(refund.pk))
    return refund


def describe_error(error):
    """What went wrong, in plain French, for staff: Stripe's own message is English and technical."""
    code = getattr(error, "code", None) or ""
    detail = f" ({code})" if code else ""
    if isinstance(error, payments.PaymentUnavailable):
        return _("Le paiement en ligne n’est pas configuré : la clé Stripe manque.")
    if isinstance(error, stripe.APIConnectionError):
        return _("Stripe n’a pas répondu à temps (connexion coupée ou trop lente).")
    if isinstance(error, stripe.CardError):
        return _("Stripe refuse le remboursement pour ce moyen de paiement%(detail)s.") % {"detail": detail}
    if isinstance(error, stripe.RateLimitError):
        return _("Stripe reçoit trop de demandes en ce moment.")
    if isinstance(error, (stripe.AuthenticationError, stripe.PermissionError)):
        return _("Stripe refuse la clé de Tremplin : vérifiez la configuration.")
    if isinstance(error, stripe.InvalidRequestError):
        return _("Stripe refuse la demande%(detail)s.") % {"detail": detail}
    status = getattr(error, "http_status", None)
    return _("Stripe est en panne en ce moment (erreur %(status)s).") % {"status": status or "inconnue"}


def send_refund(refund_pk, now=None):
    """One try at an owed refund, if it is due; returns the row as it ends up.

    The try is claimed by moving the attempts count on in one conditional update, so that the worker and the
    scheduled command never send the same refund at the same time.
    """
    now = now or timezone.now()
    refund = Refund.objects.select_related("payment").get(pk=refund_pk)
    if refund.state != RefundState.OWED or (refund.next_attempt_at and refund.next_attempt_at > now):
        return refund
    attempt = refund.attempts + 1
    next_attempt_at = now + retry_delay(attempt)
    claimed = Refund.objects.filter(pk=refund.pk, state=RefundState.OWED, attempts=refund.attempts).update(
        attempts=attempt, next_attempt_at=next_attempt_at
    )
    if not claimed:
        return Refund.objects.get(pk=refund.pk)
    payment = refund.payment
    try:
        client = payments.stripe_client()
        # Stripe forgets an idempotency key after 24 hours: a refund it made while its answer was lost is looked for
        # by our id in its metadata before asking again, so that it never gives the money back twice.
        refund_object = _made_already(client, refund) if refund.attempts else None
        refund_object = refund_object or client.v1.refunds.create(
            params={
                "payment_intent": payment.stripe_payment_intent_id,
                "amount": refund.amount_cents,
                # Never the reason: staff write it freely, it may name the person, and an erasure cannot reach Stripe.
                "metadata": {"payment_id": str(payment.pk), "refund_id": str(refund.pk)},
            },
            options={"idempotency_key": refund.idempotency_key},
        )
    except (stripe.StripeError, payments.PaymentUnavailable) as error:
        logger.warning("Refund %s refused by Stripe (try %s): %s", refund.pk, attempt, error)
        _refused(refund.pk, attempt, describe_error(error), next_attempt_at)
    else:
        answer = refund_object.to_dict()
        apply_stripe_refund(refund.pk, answer.get("id"), answer.get("status"), answer.get("failure_reason"))
    return Refund.objects.get(pk=refund.pk)


def _made_already(client, refund):
    made = client.v1.refunds.list(params={"payment_intent": refund.payment.stripe_payment_intent_id, "limit": 100})
    return next(
        (found for found in made.data if (found.to_dict().get("metadata") or {}).get("refund_id") == str(refund.pk)),
        None,
    )


def _refused(refund_pk, attempt, error, next_attempt_at):
    Refund.objects.filter(pk=refund_pk, state=RefundState.OWED).update(last_error=error[:300])
    if attempt >= settings.REFUND_ALERT_AFTER_ATTEMPTS:
        transaction.on_commit(lambda: _alert_staff(refund_pk))
    if default_task_backend.supports_defer:
        # A worker that can wait tries again by itself; send_owed_refunds does it where none can.
        transaction.on_commit(lambda: send_owed_refund.using(run_after=next_attempt_at).enqueue(refund_pk))


def _alert_staff(refund_pk):
    from inscriptions import notifications

    notifications.refund_failing(refund_pk)


def _tell_learner(refund_pk):
    from inscriptions import notifications

    notifications.refund_confirmed(refund_pk)


@transaction.atomic
def apply_stripe_refund(refund_pk, stripe_refund_id, stripe_status, failure_reason=None):
    """Follow Stripe's word on a refund: from the answer to our request, or from a refund event."""
    refund = Refund.objects.get(pk=refund_pk)
    # Lock order: the payment, then its refunds.
    payment = lock_payments(Payment.objects.filter(pk=refund.payment_id)).get()
    refund = Refund.objects.select_for_update(of=("self",)).get(pk=refund_pk)
    new_state = STATE_OF_STRIPE_STATUS.get(stripe_status)
    if stripe_refund_id and not refund.stripe_refund_id:
        refund.stripe_refund_id = stripe_refund_id
    if new_state is None or RANK[new_state] <= RANK[RefundState(refund.state)]:
        refund.save(update_fields=["stripe_refund_id"])
        return "remboursement déjà connu"
    refund.state = new_state
    refund.next_attempt_at = None
    if new_state == RefundState.FAILED:
        refund.last_error = _("Stripe n’a pas pu rendre l’argent (%(reason)s) : remboursez la personne autrement.") % {
            "reason": failure_reason or _("raison inconnue")
        }
        # Failed is the last state: staff are told even if they were already told of refused tries.
        refund.staff_alerted_at = None
        transaction.on_commit(lambda: _alert_staff(refund_pk))
    else:
        refund.last_error = ""
    refund.save(update_fields=["stripe_refund_id", "state", "next_attempt_at", "last_error", "staff_alerted_at"])
    if new_state == RefundState.CONFIRMED:
        _count_confirmed(payment)
        transaction.on_commit(lambda: _tell_learner(refund_pk))
    return f"remboursement {refund.get_state_display()}"


def _count_confirmed(payment):
    """The payment's refunded total is at least what Stripe confirmed, even if charge.refunded never comes."""
    confirmed = sum(payment.refunds.filter(state=RefundState.CONFIRMED).values_list("amount_cents", flat=True))
    refunded = min(max(payment.refunded_cents, confirmed), payment.amount_cents)
    if refunded == payment.refunded_cents:
        return
    payment.refunded_cents = refunded
    payment.status = PaymentStatus.REFUNDED if refunded == payment.amount_cents else PaymentStatus.PARTIALLY_REFUNDED
    payment.save(update_fields=["refunded_cents", "status"])


def refund_event(data):
    """refund.created, refund.updated, refund.failed and charge.refund.updated: the refund's new status."""
    metadata = data.get("metadata") or {}
    refund = Refund.objects.filter(stripe_refund_id=data.get("id") or "-").first()
    if refund is None and str(metadata.get("refund_id") or "").isdigit():
        # Our request timed out after Stripe made the refund: the event still names our row.
        refund = Refund.objects.filter(pk=int(metadata["refund_id"]), stripe_refund_id="").first()
    if refund is None:
        return "remboursement inconnu"
    return apply_stripe_refund(refund.pk, data.get("id") or "", data.get("status"), data.get("failure_reason"))


def send_owed_refunds(now=None):
    """Every owed refund whose next try is due, tried once; returns how many Stripe took."""
    now = now or timezone.now()
    due = Refund.objects.filter(state=RefundState.OWED, next_attempt_at__lte=now).order_by("next_attempt_at", "pk")
    sent = 0
    for refund_pk in due.values_list("pk", flat=True):
        if send_refund(refund_pk, now=now).state != RefundState.OWED:
            sent += 1
    return sent


@task()
def send_owed_refund(refund_pk):
    """The worker's try at one owed refund, right after it is decided, then at each due time."""
    send_refund(refund_pk)
