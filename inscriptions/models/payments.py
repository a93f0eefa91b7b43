"""Money asked of learners for priced sessions, Stripe's events, and refunds."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from formations.enums import FeeKind
from inscriptions.models.applications import Application


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", _("Paiement en ligne (Stripe)")
    CASH = "especes", _("Espèces")
    CHEQUE = "cheque", _("Chèque")
    VOUCHER = "bon_financeur", _("Bon ou prise en charge d’un financeur")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    PAID = "paid", _("Payé")
    FAILED = "failed", _("Échoué")
    EXPIRED = "expired", _("Expiré")
    REFUNDED = "refunded", _("Remboursé")
    PARTIALLY_REFUNDED = "partially_refunded", _("Remboursé en partie")


# Money came in (and may have gone back since).
SETTLED = frozenset({PaymentStatus.PAID, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED})


class Payment(models.Model):
    """Money asked of a learner for a priced session: online through Stripe Checkout, or recorded by staff."""

    application = models.ForeignKey(
        Application, verbose_name=_("candidature"), on_delete=models.PROTECT, related_name="payments"
    )
    amount_cents = models.PositiveIntegerField(_("montant (centimes)"))
    fee_kind = models.CharField(_("nature"), max_length=10, choices=FeeKind.choices)
    method = models.CharField(_("moyen de paiement"), max_length=15, choices=PaymentMethod.choices)
    status = models.CharField(
        _("état"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, db_index=True
    )
    refunded_cents = models.PositiveIntegerField(_("remboursé (centimes)"), default=0)
    stripe_checkout_session_id = models.CharField(
        _("session Stripe Checkout"), max_length=255, unique=True, null=True, blank=True
    )
    stripe_payment_intent_id = models.CharField(_("paiement Stripe"), max_length=255, blank=True, db_index=True)
    # The seat is held for the learner until then; past it, an unpaid seat goes back to the waitlist.
    hold_expires_at = models.DateTimeField(_("place réservée jusqu’au"), null=True, blank=True)
    paid_at = models.DateTimeField(_("payé le"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistré par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The one-time key of the staff form a manual payment was typed in: the same form sent twice records it once.
    idempotency_key = models.CharField(
        _("clé du formulaire d’enregistrement"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_cents__lte=models.F("amount_cents")), name="payment_refund_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(status__in=sorted(SETTLED), paid_at__isnull=False)
                | (~Q(status__in=sorted(SETTLED)) & Q(paid_at__isnull=True)),
                name="payment_paid_at_iff_settled",
            ),
            models.CheckConstraint(
                condition=Q(status=PaymentStatus.REFUNDED, refunded_cents=models.F("amount_cents"))
                | Q(
                    status=PaymentStatus.PARTIALLY_REFUNDED,
                    refunded_cents__gt=0,
                    refunded_cents__lt=models.F("amount_cents"),
                )
                | (~Q(status__in=[PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED]) & Q(refunded_cents=0)),
                name="payment_refunded_cents_match_status",
            ),
        ]

    def __str__(self):
        return f"{self.amount_cents / 100:.2f} € – {self.get_status_display()}"


class StripeEvent(models.Model):
    """Every webhook event received, stored by its id so that each is processed at most once."""

    event_id = models.CharField(_("identifiant Stripe"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    payload = models.JSONField(_("contenu"))
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    outcome = models.CharField(_("suite donnée"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("événement Stripe")
        verbose_name_plural = _("événements Stripe")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class RefundState(models.TextChoices):
    # Owed: decided, and Stripe has not yet said yes. Sent: Stripe took it and is still moving the money.
    OWED = "owed", _("dû")
    SENT = "sent", _("envoyé")
    CONFIRMED = "confirmed", _("confirmé")
    FAILED = "failed", _("échoué")


class RefundCause(models.TextChoices):
    STAFF = "staff", _("décision de l’équipe")
    LATE_PAYMENT = "late_payment", _("paiement arrivé après que la place a été donnée")


class Refund(models.Model):
    """Money given back, with why and by whom: a deposit after the training, a fee on cancellation.

    A refund through Stripe is first owed: the row is written in the same transaction as the decision, then sent
    until Stripe confirms, always with the same idempotency key so that Stripe never gives the money back twice.
    """

    payment = models.ForeignKey(Payment, verbose_name=_("paiement"), on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField(_("montant (centimes)"))
    reason = models.CharField(_("raison"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    stripe_refund_id = models.CharField(_("remboursement Stripe"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    # A refund recorded by hand (cash, cheque) is done when written; only Stripe's go through the other states.
    state = models.CharField(
        _("état du remboursement"),
        max_length=10,
        choices=RefundState.choices,
        default=RefundState.CONFIRMED,
    )
    cause = models.CharField(_("cause"), max_length=15, choices=RefundCause.choices, default=RefundCause.STAFF)
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    idempotency_key = models.CharField(
        _("clé d’idempotence Stripe"), max_length=80, unique=True, null=True, blank=True
    )
    staff_alerted_at = models.DateTimeField(_("équipe prévenue le"), null=True, blank=True)
    learner_told_at = models.DateTimeField(_("personne prévenue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("remboursement")
        verbose_name_plural = _("remboursements")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="refund_owed_due")]

    def __str__(self):
        return f"{self.amount_cents / 100:.2f} € – {self.reason}"

    @property
    def is_failing(self):
        """Owed and still refused after as many tries as staff are alerted at."""
        return self.state == RefundState.OWED and self.attempts >= settings.REFUND_ALERT_AFTER_ATTEMPTS

    @property
    def is_counted(self):
        """Money that has left, or is leaving, for good: what the refundable rest is computed from."""
        return self.state != RefundState.FAILED
