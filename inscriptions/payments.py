"""Paid sessions: Stripe Checkout, its webhook events, seat holds and refunds.

The seat is confirmed only when the money has arrived, as told by a signed webhook event. Each event is
stored by its id before it is acted on, in the same transaction, so a replayed event does nothing twice.
Handlers only move things forward: an event arriving late or out of order never undoes a later state. If acting on
an event fails, nothing of it is stored and Stripe is answered 500: its redelivery finishes the job. Refunds through
Stripe are owed, sent and followed in `inscriptions.refunds`.
"""

import contextlib
import datetime
import logging

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from inscriptions import refunds
from inscriptions.locking import (
    lock_application,
    lock_checkout_payment,
    lock_payments,
    lock_session,
    retry_on_conflict,
)
from inscriptions.models import (
    Application,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundCause,
    RefundState,
    StripeEvent,
)
from inscriptions.models.payments import SETTLED
from inscriptions.services import Refused, admit, enrol, release_unpaid_seat
from inscriptions.workflow import Role, Status

logger = logging.getLogger(__name__)

# Tests (and only tests) swap in a stripe.HTTPClient that answers like Stripe without the network.
http_client = None


class PaymentUnavailable(Exception):
    """Online payment is not configured: staff record payments by hand."""


def online_payment_enabled():
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client():
    if not online_payment_enabled():
        raise PaymentUnavailable(_("Le paiement en ligne n’est pas disponible : le campus enregistre votre paiement."))
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, http_client=http_client, max_network_retries=2, base_addresses=base
    )


def amount_due(application):
    session = application.session
    return session.price_cents if session.is_paid else 0


# --- Starting a payment -------------------------------------------------------------------------


def start_checkout(application, *, success_url, cancel_url, now=None):
    """Create (or reuse) a Stripe Checkout Session for an admitted learner; returns its hosted page URL."""
    now = now or timezone.now()
    if application.status != Status.ADMITTED:
        raise Refused(_("Le paiement se fait une fois admis·e, avant la confirmation de la place."))
    amount = amount_due(application)
    if not amount:
        raise Refused(_("Cette session est gratuite : il n’y a rien à payer."))
    client = stripe_client()
    session = application.session
    payment = Payment.objects.create(
        application=application,
        amount_cents=amount,
        fee_kind=session.fee_kind,
        method=PaymentMethod.STRIPE,
        hold_expires_at=now + datetime.timedelta(hours=settings.PAYMENT_HOLD_HOURS),
        created_at=now,
    )
    checkout = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": amount,
                        "product_data": {
                            "name": f"{session.formation.title} ({session.get_fee_kind_display()})"[:250],
                        },
                    },
                }
            ],
            "metadata": {"application_id": str(application.pk), "payment_id": str(payment.pk)},
            "client_reference_id": str(application.pk),
            "customer_email": application.learner.email or None,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "locale": "fr",
        },
        options={"idempotency_key": f"tremplin-checkout-{payment.pk}"},
    )
    Payment.objects.filter(pk=payment.pk).update(stripe_checkout_session_id=checkout.id)
    return checkout.url


# --- Webhook events -----------------------------------------------------------------------------


def verify_event(payload, signature):
    """The event, if Stripe's signature is right; raises ValueError or SignatureVerificationError otherwise."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)


# What an event's object may keep once stored: ids, amounts, statuses — never a name, an e-mail, a phone or an
# address (a checkout session carries the payer's customer_details).
KEPT_OBJECT_KEYS = frozenset(
    {
        "id",
        "object",
        "amount",
        "amount_total",
        "amount_refunded",
        "currency",
        "status",
        "payment_status",
        "payment_intent",
        "client_reference_id",
        "created",
        "refunded",
        "failure_reason",
    }
)


def minimised(payload):
    """The event as stored: its id, type and date, and its object's ids, amounts and statuses only."""
    data = payload.get("data", {}).get("object", {})
    return {
        "id": payload.get("id"),
        "type": payload.get("type"),
        "created": payload.get("created"),
        "data": {"object": {key: value for key, value in data.items() if key in KEPT_OBJECT_KEYS}},
    }


def is_well_formed(event):
    """An id, a type and a data.object that is an object: what handle_event reads before anything else."""
    payload = event.to_dict() if hasattr(event, "to_dict") else event
    data = payload.get("data") if isinstance(payload, dict) else None
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("id"), str)
        and isinstance(payload.get("type"), str)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    )


@retry_on_conflict
def handle_event(event):
    """Act on a verified event once. Returns what was done, in words, also stored with the event."""
    payload = event.to_dict() if hasattr(event, "to_dict") else event
    data = payload["data"]["object"]
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=payload["id"], type=payload["type"], payload=minimised(payload)
            )
            handler = HANDLERS.get(payload["type"])
            outcome = handler(data) if handler else "ignoré"
            record.outcome = outcome[:300]
            record.save(update_fields=["outcome"])
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=payload["id"]).exists():
            return "déjà traité"
        raise
    return outcome


def _payment_for_checkout(data):
    # Session, application, then payment: a lock taken on the payment's join would lock all three at once, in an
    # order of the planner's choosing, against the waitlist's session-first order (a deadlock under load).
    return lock_checkout_payment(data.get("id"))


def _for_checkout(handler):
    """Run a checkout.session.* handler on the payment it is about, if we know that payment."""

    def handle(data):
        payment = _payment_for_checkout(data)
        return "paiement inconnu" if payment is None else handler(payment, data)

    return handle


@_for_checkout
def _checkout_completed(payment, data):
    if data.get("payment_status") not in {"paid", "no_payment_required"}:
        return "paiement en cours de traitement"
    return _money_arrived(payment, data.get("payment_intent") or "")


@_for_checkout
def _async_payment_succeeded(payment, data):
    return _money_arrived(payment, data.get("payment_intent") or "")


def _end_pending(status, outcome):
    """A handler that closes a still-pending payment; a settled one is never touched."""

    @_for_checkout
    def handle(payment, data):
        if payment.status != PaymentStatus.PENDING:
            return f"déjà {payment.status}"
        payment.status = status
        payment.save(update_fields=["status"])
        return outcome

    return handle


_async_payment_failed = _end_pending(PaymentStatus.FAILED, "paiement échoué")
_checkout_expired = _end_pending(PaymentStatus.EXPIRED, "page de paiement expirée")


# A refund may be told before the payment it gives back: kept under this outcome, applied when the payment arrives.
REFUND_BEFORE_PAYMENT = "paiement inconnu : remboursement gardé jusqu’à l’arrivée du paiement"


def _charge_refunded(data):
    payment = lock_payments(Payment.objects.filter(stripe_payment_intent_id=data.get("payment_intent") or "-")).first()
    if payment is None:
        return REFUND_BEFORE_PAYMENT
    return _record_refunded_total(payment, data.get("amount_refunded"))


def _record_refunded_total(payment, amount_refunded):
    if payment.status not in SETTLED:
        return "paiement pas encore reçu"
    refunded = min(int(amount_refunded or 0), payment.amount_cents)
    # Refund totals only grow: an older event arriving late cannot lower them.
    if refunded <= payment.refunded_cents:
        return "remboursement déjà connu"
    payment.refunded_cents = refunded
    payment.status = PaymentStatus.REFUNDED if refunded == payment.amount_cents else PaymentStatus.PARTIALLY_REFUNDED
    payment.save(update_fields=["refunded_cents", "status"])
    return "remboursement enregistré"


def _money_arrived(payment, payment_intent):
    """Record the payment, then confirm the seat, or give the money back if the seat is gone."""
    if payment.status in SETTLED:
        return "déjà payé"
    payment.status = PaymentStatus.PAID
    payment.paid_at = timezone.now()
    payment.stripe_payment_intent_id = payment_intent
    payment.save(update_fields=["status", "paid_at", "stripe_payment_intent_id"])
    _apply_refunds_told_before(payment)
    if payment.status == PaymentStatus.REFUNDED:
        return "paiement reçu, déjà remboursé : place non confirmée"
    application = Application.objects.get(pk=payment.application_id)
    if application.status == Status.ENROLLED:
        return "déjà inscrit·e"
    if application.status == Status.WAITLISTED:
        # The hold expired while the learner was paying: take a seat if one is free now.
        with contextlib.suppress(Refused):
            admit(application, role=Role.SYSTEM, comment=_("Paiement reçu."))
    if application.status == Status.ADMITTED:
        enrol(application, role=Role.SYSTEM, comment=_("Paiement reçu : inscription confirmée."))
        return "inscription confirmée"
    # Owed in this very transaction: if anything below fails, the event is not stored and Stripe sends it again.
    refunds.owe_refund(
        payment,
        payment.amount_cents - payment.refunded_cents,
        reason=_("Paiement arrivé après que la place a été donnée."),
        cause=RefundCause.LATE_PAYMENT,
    )
    return "place plus disponible : remboursement demandé"


def _apply_refunds_told_before(payment):
    """charge.refunded events that came before this payment was known, applied now, oldest first."""
    if not payment.stripe_payment_intent_id:
        return 0
    waiting = StripeEvent.objects.select_for_update(of=("self",)).filter(
        type="charge.refunded",
        outcome=REFUND_BEFORE_PAYMENT,
        payload__data__object__payment_intent=payment.stripe_payment_intent_id,
    )
    applied = 0
    for stored in waiting.order_by("received_at", "pk"):
        outcome = _record_refunded_total(payment, stored.payload["data"]["object"].get("amount_refunded"))
        stored.outcome = f"{outcome} (à l’arrivée du paiement)"[:300]
        stored.save(update_fields=["outcome"])
        applied += 1
    return applied


def apply_refunds_told_before_payments():
    """Kept charge.refunded events whose payment is known by now, applied; returns how many.

    A refund and its payment told at the same moment each commit without seeing the other: this sweep, run with
    send_owed_refunds, applies what they missed.
    """
    waiting = StripeEvent.objects.filter(type="charge.refunded", outcome=REFUND_BEFORE_PAYMENT)
    intents = {stored.payload["data"]["object"].get("payment_intent") for stored in waiting} - {None, ""}
    applied = 0
    for payment_pk in Payment.objects.filter(stripe_payment_intent_id__in=intents).values_list("pk", flat=True):
        with transaction.atomic():
            applied += _apply_refunds_told_before(lock_payments(Payment.objects.filter(pk=payment_pk)).get())
    return applied


def _refund_event(data):
    return refunds.refund_event(data)


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.async_payment_succeeded": _async_payment_succeeded,
    "checkout.session.async_payment_failed": _async_payment_failed,
    "checkout.session.expired": _checkout_expired,
    "charge.refunded": _charge_refunded,
    # Stripe sends refund.* for every refund since API version 2024-10-28; charge.refund.updated is the older name.
    "refund.created": _refund_event,
    "refund.updated": _refund_event,
    "refund.failed": _refund_event,
    "charge.refund.updated": _refund_event,
}


# --- Refunds ------------------------------------------------------------------------------------


def _check_refund_amount(payment, amount):
    if payment.status not in SETTLED:
        raise Refused(_("Seul un paiement reçu peut être remboursé."))
    already = sum(refund.amount_cents for refund in payment.refunds.all() if refund.is_counted)
    if amount <= 0 or max(already, payment.refunded_cents) + amount > payment.amount_cents:
        raise Refused(_("Le remboursement dépasse ce qui a été payé."))


def refund_payment(payment, *, amount_cents, reason, requested_by):
    """Staff give money back, fully or partly: owed then sent at once through Stripe when it was paid online,
    recorded otherwise. A refund Stripe refuses now stays owed and is sent again later."""
    refund_row = _decide_refund(payment, amount_cents=amount_cents, reason=reason, requested_by=requested_by)
    if refund_row.state == RefundState.OWED:
        refund_row = refunds.send_refund(refund_row.pk)
    return refund_row


@transaction.atomic
def _decide_refund(payment, *, amount_cents, reason, requested_by):
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Indiquez la raison du remboursement."))
    payment = lock_payments(Payment.objects.filter(pk=payment.pk)).get()
    if payment.method == PaymentMethod.STRIPE:
        if not payment.stripe_payment_intent_id:
            raise Refused(_("Ce paiement n’a pas été fait en ligne : remboursez-le par le même moyen."))
        _check_refund_amount(payment, amount_cents)
        # Sent by refund_payment itself, right after this commits, so that staff read Stripe's answer.
        return refunds.owe_refund(
            payment, amount_cents, reason=reason, requested_by=requested_by, send_after_commit=False
        )
    _check_refund_amount(payment, amount_cents)
    refund_row = Refund.objects.create(
        payment=payment, amount_cents=amount_cents, reason=reason[:300], requested_by=requested_by
    )
    payment.refunded_cents += amount_cents
    payment.status = (
        PaymentStatus.REFUNDED if payment.refunded_cents == payment.amount_cents else PaymentStatus.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded_cents", "status"])
    return refund_row


def paid_cents(payments_of_application):
    """What a learner has paid and kept paid: money received, less what was given back."""
    return sum(p.amount_cents - p.refunded_cents for p in payments_of_application if p.status in SETTLED)


@retry_on_conflict
@transaction.atomic
def record_manual_payment(application, *, amount_cents, method, recorded_by, key=None, now=None):
    """Staff record money received outside Stripe (cash, cheque, funder voucher); an admitted learner is enrolled.

    `key` is the one-time key of the form the payment was typed in: the same form sent twice (a double click, a
    reload) records one payment, and the second sending gets the first's payment back, with `was_recorded_before`
    set. A seat already fully paid takes no other payment: two people of the team recording the same cheque at
    once leave one payment. Both checks run under the session's and the application's locks.
    """
    now = now or timezone.now()
    if method == PaymentMethod.STRIPE:
        raise Refused(_("Les paiements en ligne sont enregistrés par Stripe."))
    if amount_cents <= 0:
        raise Refused(_("Le montant doit être positif."))
    lock_session(application.session_id)
    locked = lock_application(application.pk)
    if key:
        earlier = Payment.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            if earlier.application_id != application.pk:
                raise Refused(_("Ce formulaire a servi pour une autre candidature : rechargez la page."))
            earlier.was_recorded_before = True
            return earlier
    due = amount_due(application)
    if due and paid_cents(locked.payments.all()) >= due:
        raise Refused(
            _(
                "Cette place est déjà entièrement payée : aucun autre paiement n’est enregistré. "
                "Si un montant est faux, remboursez d’abord le paiement en trop."
            )
        )
    payment = Payment.objects.create(
        application=application,
        amount_cents=amount_cents,
        fee_kind=application.session.fee_kind,
        method=method,
        status=PaymentStatus.PAID,
        paid_at=now,
        recorded_by=recorded_by,
        idempotency_key=key or None,
        created_at=now,
    )
    payment.was_recorded_before = False
    if locked.status == Status.ADMITTED:
        enrol(
            application,
            role=Role.SYSTEM,
            comment=_("Paiement reçu (%(method)s) : inscription confirmée.") % {"method": PaymentMethod(method).label},
            now=now,
        )
    return payment


# --- Seat holds ---------------------------------------------------------------------------------


def hold_expires_at(application, payment_rows=None):
    """Until when an admitted learner's seat waits for their payment.

    Admission starts the hold; opening the payment page starts it again, so that a learner in the middle
    of paying is never cut off.
    """
    hold = datetime.timedelta(hours=settings.PAYMENT_HOLD_HOURS)
    rows = application.payments.all() if payment_rows is None else payment_rows
    pending = [
        payment.hold_expires_at
        for payment in rows
        if payment.status == PaymentStatus.PENDING and payment.hold_expires_at is not None
    ]
    return max([application.status_changed_at + hold, *pending])


def release_expired_holds(now=None):
    """Give back to the waitlist the seats held for payments that did not arrive in time.

    Only with online payment: without it, staff record payments by hand and decide. A hold only matters
    when someone else is waiting: with an empty waitlist the learner keeps the seat and may still pay.
    """
    now = now or timezone.now()
    if not online_payment_enabled():
        return 0
    payments_of = Payment.objects.filter(application=OuterRef("pk"))
    overdue = (
        Application.objects.filter(
            status=Status.ADMITTED,
            session__price_cents__gt=0,
            status_changed_at__lt=now - datetime.timedelta(hours=settings.PAYMENT_HOLD_HOURS),
        )
        .filter(~Exists(payments_of.filter(status__in=SETTLED)))
        .filter(~Exists(payments_of.filter(status=PaymentStatus.PENDING, hold_expires_at__gte=now)))
        .order_by("status_changed_at", "pk")
    )
    by_session = {}
    for application in overdue:
        by_session.setdefault(application.session_id, []).append(application)
    released = 0
    for session_id, holders in by_session.items():
        # Release no more seats than there are people waiting, oldest holds first: a seat released
        # with nobody to take it would only go back to the person who just lost it.
        waiting = Application.objects.filter(session_id=session_id, status=Status.WAITLISTED).count()
        for application in holders[:waiting]:
            try:
                release_unpaid_seat(
                    application,
                    role=Role.SYSTEM,
                    comment=_("Paiement non reçu à temps : la place passe à la personne suivante."),
                    now=now,
                )
                released += 1
            except Refused:
                continue
    return released
