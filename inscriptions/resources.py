"""Exports for the campus's accountant: one row per payment, to reconcile with Stripe and the bank."""

import decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field

from inscriptions.models import RefundState

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def in_euros(cents):
    return (decimal.Decimal(cents or 0) / 100).quantize(decimal.Decimal("0.01"))


def local(moment):
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


class PaymentResource(resources.Resource):
    """Export only. The queryset given must already be scoped to the user's campuses.

    IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a leading "=" (not "+", "-", "@") and turns every
    cell into text, so formulas are neutralised here instead, text cells only, with a leading apostrophe.
    """

    created_at = Field(column_name=_("Date"))
    learner = Field(column_name=_("Candidat·e"))
    formation = Field(column_name=_("Formation"))
    session_dates = Field(column_name=_("Session"))
    campus = Field(column_name=_("Campus"))
    amount = Field(column_name=_("Montant (€)"))
    fee_kind = Field(column_name=_("Nature"))
    method = Field(column_name=_("Moyen de paiement"))
    status = Field(column_name=_("État"))
    stripe_checkout_session_id = Field(column_name=_("Session Stripe Checkout"))
    stripe_payment_intent_id = Field(column_name=_("Paiement Stripe (payment intent)"))
    refunded = Field(column_name=_("Remboursé (€)"))
    refunds = Field(column_name=_("Remboursements"))
    paid_at = Field(column_name=_("Payé le"))

    class Meta:
        export_order = [
            "created_at",
            "learner",
            "formation",
            "session_dates",
            "campus",
            "amount",
            "fee_kind",
            "method",
            "status",
            "stripe_checkout_session_id",
            "stripe_payment_intent_id",
            "refunded",
            "refunds",
            "paid_at",
        ]

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))

    def dehydrate_created_at(self, payment):
        return local(payment.created_at)

    def dehydrate_learner(self, payment):
        return str(payment.application.learner)

    def dehydrate_formation(self, payment):
        return payment.application.session.formation.title

    def dehydrate_session_dates(self, payment):
        session = payment.application.session
        return _("du %(start)s au %(end)s") % {
            "start": session.start_date.strftime("%d/%m/%Y"),
            "end": session.end_date.strftime("%d/%m/%Y"),
        }

    def dehydrate_campus(self, payment):
        return payment.application.campus.title

    def dehydrate_amount(self, payment):
        return in_euros(payment.amount_cents)

    def dehydrate_fee_kind(self, payment):
        return payment.get_fee_kind_display()

    def dehydrate_method(self, payment):
        return payment.get_method_display()

    def dehydrate_status(self, payment):
        return payment.get_status_display()

    def dehydrate_stripe_checkout_session_id(self, payment):
        return payment.stripe_checkout_session_id or ""

    def dehydrate_stripe_payment_intent_id(self, payment):
        return payment.stripe_payment_intent_id

    def dehydrate_refunded(self, payment):
        confirmed = [refund.amount_cents for refund in payment.refunds.all() if refund.state == RefundState.CONFIRMED]
        return in_euros(max(payment.refunded_cents, sum(confirmed)))

    def dehydrate_refunds(self, payment):
        return " ; ".join(
            f"{local(refund.created_at)} {in_euros(refund.amount_cents)} € "
            f"({refund.get_state_display()}) : {refund.reason}"
            for refund in payment.refunds.all()
        )

    def dehydrate_paid_at(self, payment):
        return local(payment.paid_at)
