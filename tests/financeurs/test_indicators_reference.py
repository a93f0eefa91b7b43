"""Tremplin's figures are those of the published definition, on cohorts drawn at random.

A second, naive implementation written from docs/indicators.md alone (tests/financeurs/reference/) recomputes
every indicator of every kind of agreement over random worlds; Tremplin must find the same values.
"""

import os
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from financeurs.enums import IndicatorCode
from financeurs.indicators import Period, compute
from tests.financeurs.reference import indicators as reference
from tests.financeurs.reference.cohorts import COUNTS, RATES, worlds
from tests.financeurs.reference.writing import build_places, write_world

ESF_CODES = [f"EECO{n:02d}" for n in range(1, 20)] + [f"EECR{n:02d}" for n in range(1, 7)]
NOT_COUNTED = {"EECO15", "EECO18", "EECO19"}
BOTH_READINGS = {"sorties_positives", "sorties_positives_6_mois"}


def fields_compared(code):
    """The fields docs/indicators.md defines for `code`."""
    fields = ["value", "target", "target_met"]
    if code in RATES or code in COUNTS[1:]:
        # A rate's base, and the step before for a count's share (« sa part dans l'étape précédente »).
        fields += ["numerator", "denominator"]
    if code in IndicatorCode.values:
        fields += ["value_over_all", "denominator_over_all"]
    if code in ESF_CODES and code not in NOT_COUNTED:
        fields = ["value", "numerator", "denominator", "women", "men"]
    elif code in ESF_CODES:
        fields = ["value"]
    return fields


def same(product, expected):
    if isinstance(product, Decimal) or isinstance(expected, Decimal):
        return product is not None and expected is not None and Decimal(product) == Decimal(expected)
    return product == expected


def disagreements(world, agreement, saved, period):
    """Every value on which Tremplin and the reference differ, in words."""
    product = compute(saved, Period(period.start, period.end), today=world.today)
    expected = reference.compute(world, agreement, period, world.today)
    where = f"convention {agreement.kind}, période {period.start}..{period.end}, aujourd'hui {world.today}"
    found = []
    codes = [result.code for result in [*product.indicators, *product.esf]]
    if sorted(codes) != sorted([*IndicatorCode.values, *ESF_CODES]):
        found.append(f"{where}: indicateurs {codes}")
    for code, result in expected.results.items():
        computed = product.by_code(code)
        for field in fields_compared(code):
            if not same(getattr(computed, field), getattr(result, field)):
                found.append(
                    f"{code}.{field} ({where}): Tremplin {getattr(computed, field)!r}, "
                    f"référence {getattr(result, field)!r}"
                )
        # A verdict held back is said in words (a period cut short, too small a base).
        held_back = result.target is not None and result.value is not None and result.target_met is None
        if code in IndicatorCode.values and bool(computed.verdict_withheld) != held_back:
            found.append(f"{code}.verdict_withheld ({where}): Tremplin {computed.verdict_withheld!r}")
    for field in ("results_complete_on", "results_complete", "still_in_training_after_end"):
        if getattr(product, field) != getattr(expected, field):
            found.append(
                f"{field} ({where}): Tremplin {getattr(product, field)!r}, référence {getattr(expected, field)!r}"
            )
    return found


@pytest.fixture
def places():
    # Built once for all the examples of the test below, which each roll back to it.
    return build_places()


# CI draws the same 100 worlds every run (a few seconds). To look further, run it with
# INDICATORS_REFERENCE_EXAMPLES=5000: new worlds each time, and a failure prints the smallest one found.
EXPLORE = os.environ.get("INDICATORS_REFERENCE_EXAMPLES")


@settings(
    max_examples=int(EXPLORE or 100),
    deadline=None,
    derandomize=not EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds())
def test_every_indicator_is_the_published_definitions(places, world):
    with transaction.atomic():
        saved = write_world(world, places)
        found = []
        for (agreement, period), agreement_row in zip(world.agreements, saved, strict=True):
            found += disagreements(world, agreement, agreement_row, period)
        transaction.set_rollback(True)
    assert not found, "\n".join(found)
