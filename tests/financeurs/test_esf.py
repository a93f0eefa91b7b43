import csv
from pathlib import Path

import pytest

from financeurs.indicators import ESF_INDICATORS, Period, compute
from inscriptions.enums import Gender, JobSeekingDuration, Placement, Situation
from inscriptions.workflow import Status
from tests.financeurs import test_indicators
from tests.financeurs.test_indicators import apply, follow_up, past_session
from tests.inscriptions.factories import years_ago

# The cohort with known outcomes, and the agreement over its two campuses.
campuses, cohort, agreement = test_indicators.campuses, test_indicators.cohort, test_indicators.agreement

ANNEX_I = Path(__file__).resolve().parents[1] / "data" / "esf_plus" / "esf_plus_common_indicators_annex_I.csv"

# (value, women, men) of each ESF+ indicator over the cohort of test_indicators: six people entered training,
# three women, two men and one person who describes themself otherwise.
EXPECTED = {
    "EECO01": (6, 3, 2),
    "EECO02": (3, 2, 1),
    "EECO03": (2, 1, 1),
    "EECO04": (2, 0, 1),
    "EECO05": (1, 1, 0),
    "EECO06": (1, 0, 1),
    "EECO07": (3, 1, 1),
    "EECO08": (1, 1, 0),
    "EECO09": (2, 1, 1),
    "EECO10": (2, 1, 1),
    "EECO11": (2, 1, 0),
    "EECO12": (1, 1, 0),
    "EECO13": (1, 1, 0),
    "EECO14": (1, 1, 0),
    "EECO16": (1, 1, 0),
    "EECO17": (1, 0, 1),
    "EECR01": (1, 1, 0),
    "EECR02": (1, 1, 0),
    "EECR03": (1, 1, 0),
    "EECR04": (1, 1, 0),
    "EECR05": (2, 2, 0),
    "EECR06": (1, 1, 0),
}


def test_the_codes_are_the_25_of_the_regulation_in_its_order():
    with ANNEX_I.open(encoding="utf-8") as annex:
        official = [row["code"] for row in csv.DictReader(annex)]

    assert len(official) == 25
    assert [indicator.code for indicator in ESF_INDICATORS] == official


def test_output_and_result_indicators_are_told_apart():
    with ANNEX_I.open(encoding="utf-8") as annex:
        kinds = {row["code"]: row["type"] for row in csv.DictReader(annex)}

    for indicator in ESF_INDICATORS:
        assert indicator.group == {"output": "fse_output", "result": "fse_result"}[kinds[indicator.code]]


def test_every_esf_indicator_over_a_known_cohort_with_women_and_men(cohort, agreement):
    report = compute(agreement, Period.of_agreement(agreement))

    for code, (value, women, men) in EXPECTED.items():
        result = report.by_code(code)
        assert (result.value, result.women, result.men) == (value, women, men), code
        assert (result.numerator, result.denominator) == (value, 6), code
        assert result.unit == "personnes"
        assert result.not_collected_reason is None


def test_minorities_are_reported_as_not_collected(cohort, agreement):
    minorities = compute(agreement, Period.of_agreement(agreement)).by_code("EECO15")

    assert minorities.value is None
    assert "origine ethnique" in minorities.not_collected_reason
    assert (minorities.women, minorities.men) == (None, None)


@pytest.mark.parametrize("code", ["EECO18", "EECO19"])
def test_entities_do_not_apply_and_are_reported_as_zero(cohort, agreement, code):
    entities = compute(agreement, Period.of_agreement(agreement)).by_code(code)

    assert entities.value == 0
    assert "Sans objet" in entities.not_collected_reason


def test_every_esf_indicator_has_a_french_label_and_description(agreement):
    report = compute(agreement, Period.of_agreement(agreement))

    assert [result.code for result in report.esf] == [indicator.code for indicator in ESF_INDICATORS]
    for result in report.esf:
        assert result.label and result.description.endswith("."), result.code
        assert result.target is None and result.target_met is None


@pytest.mark.parametrize(
    ("age", "duration", "long_term"),
    [
        (24, JobSeekingDuration.SIX_TO_12_MONTHS, True),
        (25, JobSeekingDuration.SIX_TO_12_MONTHS, False),
        (30, JobSeekingDuration.ONE_TO_2_YEARS, True),
        (20, JobSeekingDuration.LESS_THAN_6_MONTHS, False),
    ],
)
def test_long_term_unemployment_is_six_months_before_25_and_a_year_after(
    campuses, agreement, age, duration, long_term
):
    apply(
        past_session(campuses[0]),
        Status.IN_TRAINING,
        birth_date=years_ago(age, days=10),
        situation=Situation.JOB_SEEKER_REGISTERED,
        job_seeking_duration=duration,
    )

    report = compute(agreement, Period.of_agreement(agreement))

    assert report.by_code("EECO02").value == 1
    assert report.by_code("EECO03").value == int(long_term)


def test_only_participants_count(campuses, agreement):
    # Someone who never entered training is no ESF+ participant, whatever their profile or follow-up.
    refused = apply(
        past_session(campuses[0]),
        Status.REFUSED,
        gender=Gender.FEMALE,
        situation=Situation.JOB_SEEKER_REGISTERED,
        job_seeking_duration=JobSeekingDuration.MORE_THAN_2_YEARS,
    )
    follow_up(refused, 0, Placement.CDI)

    report = compute(agreement, Period.of_agreement(agreement))

    assert report.by_code("candidats").value == 1
    for code in ("EECO01", "EECO02", "EECO03", "EECO07", "EECR04"):
        assert (report.by_code(code).value, report.by_code(code).women) == (0, 0), code
