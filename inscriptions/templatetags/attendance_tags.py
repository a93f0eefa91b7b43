"""Hours and attendance rates as people read them: "24,5 h", "92,3 %", "–" when nothing is recorded."""

from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def hours(value):
    if value is None:
        return "–"
    return formats.number_format(Decimal(value).normalize(), use_l10n=True) + "\u00a0h"


@register.filter
def rate(value):
    if value is None:
        return "–"
    return formats.number_format(value, decimal_pos=1, use_l10n=True) + "\u00a0%"
