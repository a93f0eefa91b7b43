"""Amounts typed in euros by people, kept in cents by the code: money is never a float."""

import decimal

from django import forms
from django.utils.translation import gettext_lazy as _


def cents_to_euros_text(cents):
    """5000 → "50", 12050 → "120,50": what a person reads or types."""
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d}" if rest else str(euros)


class EurosField(forms.CharField):
    """An amount typed in euros, "12,50" or "12.50", cleaned to a whole number of cents."""

    def __init__(self, *, allow_zero=False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 10}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value / 100:.2f}".replace(".", ",")
        return value

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return 0 if self.allow_zero else value
        text = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")
        try:
            amount = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise forms.ValidationError(_("Indiquez un montant en euros, par exemple 150 ou 150,50.")) from None
        if not amount.is_finite() or amount != amount.quantize(decimal.Decimal("0.01")):
            raise forms.ValidationError(
                _("Indiquez un montant en euros, avec au plus deux chiffres après la virgule.")
            )
        if amount < 0 or (amount == 0 and not self.allow_zero):
            raise forms.ValidationError(_("Le montant doit être positif."))
        if amount >= 10_000_000:
            raise forms.ValidationError(_("Ce montant est trop grand."))
        return int(amount * 100)
