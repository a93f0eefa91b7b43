"""Indicator figures as words and as server-drawn SVG bar charts, each chart followed by its data table.

The geometry is computed here; the markup lives in templates, so every label is escaped by Django.
"""

from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

register = template.Library()

NBSP = "\u00a0"
# SVG user units: the chart scales to the width of its container (see static/css/financeurs.css).
WIDTH = 480
BAR_MAX = 320
ROW_HEIGHT = 48
BAR_HEIGHT = 18
LABEL_BASELINE = 14
BAR_TOP = 22
TOP_PADDING = 4


def format_number(value, unit):
    """12 → "12"; Decimal("45.50") with "%" → "45,5 %"; 3000 with "€" → "3 000 €". None → None."""
    if value is None:
        return None
    if unit == "%":
        return f"{floatformat(value, '-1g')}{NBSP}%"
    if unit == "€":
        return f"{floatformat(value, '-2g')}{NBSP}€"
    return floatformat(value, "g")


@register.filter
def indicator_value(result):
    """The value of an indicator as read on the dashboard, or a plain word when it cannot be computed."""
    return format_number(result.value, result.unit) or _("non calculable")


@register.filter
def indicator_target(result):
    return format_number(result.target, result.unit) or ""


# Who the second reading of a rate counts, after "des N".
OVER_ALL_BASES = {
    "sorties_positives": _lazy("personnes sorties"),
    "sorties_positives_6_mois": _lazy("personnes sorties depuis au moins 6 mois"),
}


@register.filter
def indicator_ratio(result):
    """ "12 sur 80" ("12 sur 80, soit 15 %" for a count) when the indicator has both terms, else "".

    A rate read twice says both, with their bases: "42 % des 257 qui ont répondu ; 23,7 % des 455 personnes sorties".
    """
    if result.numerator is None or result.denominator is None:
        return ""
    if result.denominator_over_all is not None:
        return _("%(value)s des %(base)s qui ont répondu ; %(value_over_all)s des %(base_over_all)s %(who)s") % {
            "value": format_number(result.value, "%") or _("non calculable"),
            "base": floatformat(result.denominator, "g"),
            "value_over_all": format_number(result.value_over_all, "%") or _("non calculable"),
            "base_over_all": floatformat(result.denominator_over_all, "g"),
            "who": OVER_ALL_BASES.get(result.code, ""),
        }
    ratio = {"numerator": floatformat(result.numerator, "g"), "denominator": floatformat(result.denominator, "g")}
    if result.unit == "%" or not result.denominator:
        return _("%(numerator)s sur %(denominator)s") % ratio
    # A count beside its base, e.g. the people who dropped out among those who started.
    share = format_number(Decimal(100) * result.numerator / result.denominator, "%")
    return _("%(numerator)s sur %(denominator)s, soit %(share)s") % {**ratio, "share": share}


@register.filter
def esf_breakdown(result, key):
    """The women or men count of an ESF+ indicator."""
    value = getattr(result, key)
    return format_number(value, result.unit) if value is not None else ""


@dataclass
class Chart:
    """A horizontal bar chart of indicators. `percent` charts run from 0 to 100 %, the others to their largest bar."""

    id: str
    title: str
    description: str
    results: list
    percent: bool = False
    # Indicator codes drawn in the second colour, e.g. response rates next to outcome rates.
    secondary: frozenset = frozenset()


def _scale(chart):
    if chart.percent:
        return Decimal(100)
    numbers = [r.value for r in chart.results if r.value is not None] + [
        r.target for r in chart.results if r.target is not None
    ]
    return Decimal(max(numbers, default=0)) or Decimal(1)


def _x(value, scale):
    return round(float(min(Decimal(value), scale) / scale) * BAR_MAX, 1)


def _svg(number):
    """A coordinate as SVG reads it, whatever the locale (never "12,5")."""
    return format(number, "g")


@register.inclusion_tag("financeurs/includes/bar_chart.html")
def bar_chart(chart):
    scale = _scale(chart)
    rows = []
    for index, result in enumerate(chart.results):
        top = TOP_PADDING + index * ROW_HEIGHT
        text = indicator_value(result)
        target = indicator_target(result)
        width = _x(result.value, scale) if result.value is not None else 0
        rows.append(
            {
                "result": result,
                "text": text,
                "target": target,
                "label_y": _svg(top + LABEL_BASELINE),
                "bar_y": _svg(top + BAR_TOP),
                "bar_width": _svg(width) if width else None,
                # Shares are written after the full 100 % track, counts right after their bar.
                "value_x": _svg((BAR_MAX if chart.percent else width) + 6),
                "value_y": _svg(top + BAR_TOP + BAR_HEIGHT - 4),
                "target_x": _svg(_x(result.target, scale)) if result.target is not None else None,
                "target_y1": _svg(top + BAR_TOP - 3),
                "target_y2": _svg(top + BAR_TOP + BAR_HEIGHT + 3),
                "secondary": result.code in chart.secondary,
            }
        )
    return {
        "chart": chart,
        "rows": rows,
        "width": _svg(WIDTH),
        "height": _svg(TOP_PADDING * 2 + ROW_HEIGHT * len(rows)),
        "bar_max": _svg(BAR_MAX),
        "bar_height": _svg(BAR_HEIGHT),
        "has_targets": any(row["target"] for row in rows),
    }
