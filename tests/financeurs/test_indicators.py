import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from financeurs.enums import IndicatorCode
from financeurs.indicators import ESF_INDICATORS, INDICATORS, Period, compute, participants
from financeurs.indicators.definitions import MIN_BASE_FOR_VERDICT
from inscriptions.enums import (
    Diploma,
    FollowUpMilestone,
    Gender,
    JobSeekingDuration,
    Placement,
    QpvResidence,
    Situation,
)
from inscriptions.services import erase_learner
from inscriptions.workflow import Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.factories import AgreementFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, LearnerFactory, move_to, years_ago


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def moment(days):
    """A time `days` ago, for transitions that date a departure."""
    return timezone.now() - datetime.timedelta(days=days)


def past_session(campus, started_days_ago=300, formation=None):
    formation = formation or FormationPageFactory(parent=campus)
    return SessionFactory(
        formation=formation,
        start_date=days_ago(started_days_ago),
        application_deadline=days_ago(started_days_ago + 7),
        capacity=30,
    )


def apply(session, status=Status.SUBMITTED, *, left_days_ago=None, learner=None, **learner_fields):
    """An application walked to `status`; a departure (completion or dropping out) dated `left_days_ago`."""
    application = ApplicationFactory(session=session, learner=learner or LearnerFactory(**learner_fields))
    staff = UserFactory(staff_of=session.campus)
    if status in {Status.COMPLETED, Status.DROPPED_OUT, Status.CERTIFIED, Status.NOT_CERTIFIED}:
        departure = Status.DROPPED_OUT if status == Status.DROPPED_OUT else Status.COMPLETED
        move_to(application, departure, actor=staff, now=moment(left_days_ago or 30))
    move_to(application, status, actor=staff)
    return application


def follow_up(application, milestone, placement):
    return FollowUpFactory(application=application, milestone=milestone, placement=placement)


@pytest.fixture
def campuses():
    return CampusPageFactory(), CampusPageFactory(), CampusPageFactory()


@pytest.fixture
def cohort(campuses):
    """Ten people in an agreement over two campuses, one more at a third campus, with known outcomes.

    Departures 250 days ago are due at 6 months; the one 30 days ago is not.
    """
    campus_a, campus_b, campus_outside = campuses
    session_a, session_b = past_session(campus_a), past_session(campus_b)
    later_session_b = past_session(campus_b, started_days_ago=100)
    people = {}

    people["alice"] = apply(
        session_a,
        Status.CERTIFIED,
        left_days_ago=250,
        gender=Gender.FEMALE,
        qpv_residence=QpvResidence.YES,
        birth_date=years_ago(20),
        diploma=Diploma.NONE,
        rqth=True,
        situation=Situation.JOB_SEEKER_REGISTERED,
        job_seeking_duration=JobSeekingDuration.LESS_THAN_6_MONTHS,
        nationality="hors_ue",
        housing_exclusion=True,
    )
    follow_up(people["alice"], FollowUpMilestone.EXIT, Placement.CDI)
    follow_up(people["alice"], FollowUpMilestone.SIX_MONTHS, Placement.CDI)

    people["bea"] = apply(
        session_b,
        Status.NOT_CERTIFIED,
        left_days_ago=250,
        gender=Gender.FEMALE,
        birth_date=years_ago(30, days=10),
        diploma=Diploma.BAC,
        situation=Situation.EMPLOYED,
        foreign_background="oui",
    )
    follow_up(people["bea"], FollowUpMilestone.EXIT, Placement.JOB_SEEKING)
    follow_up(people["bea"], FollowUpMilestone.SIX_MONTHS, Placement.CDD_LONG)

    # Dropped out a month ago: no follow-up yet, and not due at 6 months.
    people["chris"] = apply(
        session_a,
        Status.DROPPED_OUT,
        left_days_ago=30,
        gender=Gender.MALE,
        birth_date=years_ago(24, days=10),
        diploma=Diploma.CAP_BEP,
        situation=Situation.JOB_SEEKER_UNREGISTERED,
        job_seeking_duration=JobSeekingDuration.SIX_TO_12_MONTHS,
        rural_area=True,
    )
    people["dan"] = apply(
        session_b,
        Status.IN_TRAINING,
        gender=Gender.MALE,
        birth_date=years_ago(17),
        guardian_name="Parent",
        guardian_email="parent@famille.example",
        guardian_consent_at=timezone.now(),
        diploma=Diploma.BREVET,
        situation=Situation.STUDENT,
    )
    people["eve"] = apply(session_a, Status.ADMITTED, gender=Gender.FEMALE)
    people["fred"] = apply(session_b, Status.ENROLLED, gender=Gender.MALE)
    people["gus"] = apply(session_a, Status.SUBMITTED, gender=Gender.MALE)
    people["hana"] = apply(session_b, Status.REFUSED, gender=Gender.FEMALE)

    # Left and came back: dropped out of a first session with a job, back in training in a later one.
    jo = LearnerFactory(
        gender=Gender.OTHER,
        birth_date=years_ago(22),
        diploma=Diploma.BAC_2,
        situation=Situation.INACTIVE,
    )
    people["jo_first"] = apply(session_a, Status.DROPPED_OUT, left_days_ago=200, learner=jo)
    follow_up(people["jo_first"], FollowUpMilestone.EXIT, Placement.CDI)
    people["jo"] = apply(later_session_b, Status.IN_TRAINING, learner=jo)

    people["kim"] = apply(
        session_a,
        Status.COMPLETED,
        left_days_ago=250,
        gender=Gender.FEMALE,
        birth_date=years_ago(56),
        diploma=Diploma.BAC_3_PLUS,
        situation=Situation.JOB_SEEKER_REGISTERED,
        job_seeking_duration=JobSeekingDuration.MORE_THAN_2_YEARS,
    )
    follow_up(people["kim"], FollowUpMilestone.EXIT, Placement.TRAINING)
    erase_learner(people["kim"].learner)

    # At a campus the agreement does not cover.
    people["ian"] = apply(past_session(campus_outside), Status.IN_TRAINING, gender=Gender.MALE)
    return people


@pytest.fixture
def agreement(campuses):
    return AgreementFactory(
        campuses=campuses[:2],
        targets={
            "entres": 6,
            "abandons": 2,
            "sorties_positives_6_mois": 60,
            "part_femmes": 55,
            "cout_par_personne": 15000,
        },
    )


# (value, numerator, denominator) of every indicator over the cohort.
EXPECTED = {
    "candidats": (10, 10, None),
    "admis": (8, 8, 10),
    "inscrits": (7, 7, 8),
    "entres": (6, 6, 7),
    "termines": (3, 3, 6),
    "abandons": (1, 1, 6),
    "certifies": (1, 1, 6),
    "sorties_positives": (Decimal("66.7"), 2, 3),
    "sorties_positives_6_mois": (Decimal("100.0"), 2, 2),
    "taux_reponse_sortie": (Decimal("75.0"), 3, 4),
    "taux_reponse_6_mois": (Decimal("66.7"), 2, 3),
    "part_femmes": (Decimal("50.0"), 3, 6),
    "part_qpv": (Decimal("16.7"), 1, 6),
    "part_moins_26_ans": (Decimal("66.7"), 4, 6),
    "part_sans_bac": (Decimal("50.0"), 3, 6),
    "part_rqth": (Decimal("16.7"), 1, 6),
    "cout_par_personne": (Decimal("20000.00"), None, 6),
}


def test_every_indicator_over_a_known_cohort(cohort, agreement):
    report = compute(agreement, Period.of_agreement(agreement))

    assert [result.code for result in report.indicators] == list(IndicatorCode.values)
    assert report.agreement == agreement
    assert report.period == Period(agreement.start_date, agreement.end_date)
    for code, (value, numerator, denominator) in EXPECTED.items():
        result = report.by_code(code)
        assert (result.value, result.numerator, result.denominator) == (value, numerator, denominator), code


def test_targets_are_met_or_not_in_the_direction_that_is_better(cohort, agreement):
    report = compute(agreement, Period.of_agreement(agreement))

    met = {result.code: (result.target, result.target_met) for result in report.indicators if result.target}
    assert met == {
        "entres": (Decimal("6.00"), True),  # reached exactly
        "abandons": (Decimal("2.00"), True),  # fewer dropouts than the ceiling
        # Rates over fewer than 10 people: no verdict (see test_a_rate_needs_enough_people_for_a_verdict).
        "sorties_positives_6_mois": (Decimal("60.00"), None),
        "part_femmes": (Decimal("55.00"), None),
        "cout_par_personne": (Decimal("15000.00"), False),  # dearer than planned
    }
    assert report.by_code("candidats").target_met is None
    assert report.by_code("abandons").higher_is_better is False
    assert report.by_code("cout_par_personne").higher_is_better is False


def test_a_rate_needs_enough_people_for_a_verdict(cohort, agreement):
    report = compute(agreement, Period.of_agreement(agreement))

    women = report.by_code("part_femmes")
    assert women.denominator < MIN_BASE_FOR_VERDICT
    assert (women.target_met, women.verdict_withheld) == (None, "Trop peu de personnes pour conclure.")


def test_a_dropout_ceiling_is_missed_when_exceeded(cohort, agreement):
    agreement.targets.filter(indicator="abandons").update(value=0)

    assert compute(agreement, Period.of_agreement(agreement)).by_code("abandons").target_met is False


def test_indicators_say_what_they_are(cohort, agreement):
    report = compute(agreement, Period.of_agreement(agreement))

    units = {result.code: result.unit for result in report.indicators}
    assert units["entres"] == "personnes"
    assert units["part_femmes"] == "%"
    assert units["cout_par_personne"] == "€"
    groups = {result.group for result in report.indicators}
    assert groups == {"parcours", "resultats", "profil", "cout"}
    for result in report.indicators:
        assert result.label and result.description.endswith("."), result.code
        assert result.not_collected_reason is None


def test_a_count_also_gives_its_share(cohort, agreement):
    report = compute(agreement, Period.of_agreement(agreement))

    assert report.by_code("abandons").share == Decimal("16.7")
    assert report.by_code("candidats").share is None


def test_no_learners_gives_zero_counts_and_no_rates(agreement):
    report = compute(agreement, Period.of_agreement(agreement))

    for result in report.indicators:
        if result.unit == "personnes":
            assert result.value == 0, result.code
        else:
            assert result.value is None, result.code
            assert result.target_met is None, result.code
    assert report.by_code("part_femmes").denominator == 0


def test_a_learner_with_no_follow_up_yet_counts_only_in_the_response_rate(campuses, agreement):
    session = past_session(campuses[0])
    answered = apply(session, Status.COMPLETED, left_days_ago=10)
    follow_up(answered, FollowUpMilestone.EXIT, Placement.CDD_SHORT)
    apply(session, Status.DROPPED_OUT, left_days_ago=10)

    report = compute(agreement, Period.of_agreement(agreement))

    rate = report.by_code("taux_reponse_sortie")
    assert (rate.value, rate.numerator, rate.denominator) == (Decimal("50.0"), 1, 2)
    positive = report.by_code("sorties_positives")
    assert (positive.value, positive.numerator, positive.denominator) == (Decimal("0.0"), 0, 1)
    # Nobody has left six months ago yet.
    assert report.by_code("taux_reponse_6_mois").value is None
    assert report.by_code("sorties_positives_6_mois").value is None


def test_a_learner_who_left_and_came_back_counts_once_by_the_training_last_entered(cohort, agreement):
    people = participants(agreement, Period.of_agreement(agreement))

    assert cohort["jo"] in people
    assert cohort["jo_first"] not in people
    assert people.count() == 10
    assert people.filter(learner=cohort["jo"].learner).get() == cohort["jo"]


def test_an_application_that_entered_training_represents_the_learner_over_a_later_one_that_did_not(
    campuses, agreement
):
    earlier, later = past_session(campuses[0], 300), past_session(campuses[1], 60)
    learner = LearnerFactory()
    trained = apply(earlier, Status.COMPLETED, left_days_ago=200, learner=learner)
    apply(later, Status.REFUSED, learner=learner)

    assert list(participants(agreement, Period.of_agreement(agreement))) == [trained]
    report = compute(agreement, Period.of_agreement(agreement))
    assert (report.by_code("candidats").value, report.by_code("termines").value) == (1, 1)


def test_without_training_the_latest_application_represents_the_learner(campuses, agreement):
    session = past_session(campuses[0], 60)
    learner = LearnerFactory()
    refused = apply(session, Status.REFUSED, learner=learner)
    refused.submitted_at = moment(50)
    refused.save()
    again = apply(session, Status.UNDER_REVIEW, learner=learner)

    assert list(participants(agreement, Period.of_agreement(agreement))) == [again]


def test_only_the_agreements_campuses_count(cohort, agreement, campuses):
    people = participants(agreement, Period.of_agreement(agreement))

    assert cohort["ian"] not in people
    assert set(people.values_list("campus", flat=True)) == {campuses[0].pk, campuses[1].pk}


def test_an_agreement_limited_to_formations_counts_their_sessions_only(campuses):
    kept, other = FormationPageFactory(parent=campuses[0]), FormationPageFactory(parent=campuses[0])
    counted = apply(past_session(campuses[0], formation=kept), Status.IN_TRAINING)
    apply(past_session(campuses[0], formation=other), Status.IN_TRAINING)
    agreement = AgreementFactory(campuses=[campuses[0]], formations=[kept])

    assert list(participants(agreement, Period.of_agreement(agreement))) == [counted]
    assert compute(agreement, Period.of_agreement(agreement)).by_code("entres").value == 1


def test_an_agreement_limited_to_sessions_counts_them_only(campuses):
    formation = FormationPageFactory(parent=campuses[0])
    kept = past_session(campuses[0], formation=formation)
    counted = apply(kept, Status.IN_TRAINING)
    apply(past_session(campuses[0], 200, formation=formation), Status.IN_TRAINING)
    agreement = AgreementFactory(campuses=[campuses[0]], formations=[formation], sessions=[kept])

    assert list(participants(agreement, Period.of_agreement(agreement))) == [counted]


def test_a_period_holds_the_sessions_starting_within_it_both_ends_included(campuses, agreement):
    period = Period(start=days_ago(200), end=days_ago(100))
    inside = [apply(past_session(campuses[0], days)) for days in (200, 150, 100)]
    for days in (201, 99):
        apply(past_session(campuses[0], days))

    assert set(participants(agreement, period)) == set(inside)
    assert compute(agreement, period).by_code("candidats").value == 3


def test_an_anonymised_learner_still_counts(campuses, agreement):
    application = apply(
        past_session(campuses[0]), Status.COMPLETED, left_days_ago=30, gender=Gender.FEMALE, birth_date=years_ago(22)
    )
    erase_learner(application.learner)

    report = compute(agreement, Period.of_agreement(agreement))

    assert report.by_code("termines").value == 1
    assert report.by_code("part_femmes").value == Decimal("100.0")
    assert report.by_code("part_moins_26_ans").value == Decimal("100.0")


def test_cost_per_person_is_over_the_whole_agreement_whatever_the_period(cohort, agreement):
    # Only the later session starts in the last 150 days: one person entered then, six over the agreement.
    report = compute(agreement, Period(start=days_ago(150), end=timezone.localdate()))

    assert report.by_code("entres").value == 1
    cost = report.by_code("cout_par_personne")
    assert (cost.value, cost.denominator) == (Decimal("20000.00"), 6)


def test_the_six_month_milestone_waits_for_six_months(campuses, agreement):
    application = apply(past_session(campuses[0]), Status.COMPLETED, left_days_ago=30)
    follow_up(application, FollowUpMilestone.SIX_MONTHS, Placement.CDI)
    # The exit date corrected after the follow-up was recorded: its due day follows.
    application.left_on = datetime.date(2026, 3, 31)
    application.save()
    whole = Period.of_agreement(agreement)

    not_yet = compute(agreement, whole, today=datetime.date(2026, 9, 29)).by_code("taux_reponse_6_mois")
    # 31 March + 6 months is 30 September (there is no 31st): due that day.
    due = compute(agreement, whole, today=datetime.date(2026, 9, 30)).by_code("taux_reponse_6_mois")

    assert (not_yet.value, not_yet.denominator) == (None, 0)
    assert (due.value, due.denominator) == (Decimal("100.0"), 1)


def test_today_defaults_to_the_local_date(agreement):
    assert compute(agreement, Period.of_agreement(agreement)).today == timezone.localdate()


def test_every_indicator_is_explained_in_the_documentation():
    documentation = (Path(settings.BASE_DIR) / "docs" / "indicators.md").read_text()

    for indicator in [*INDICATORS, *ESF_INDICATORS]:
        assert f"`{indicator.code}`" in documentation or f"| {indicator.code} |" in documentation, indicator.code


def test_every_indicator_a_target_can_be_set_on_is_defined_once():
    codes = [indicator.code for indicator in INDICATORS]

    assert codes == list(IndicatorCode.values)
    assert len(set(codes)) == len(codes)


def test_the_report_takes_the_same_few_queries_however_many_people(campuses, agreement, django_assert_num_queries):
    session = past_session(campuses[0])
    apply(session, Status.IN_TRAINING)
    # The agreement's sessions, its targets, the people counted, the hours on their attendance sheets.
    with django_assert_num_queries(4):
        small = compute(agreement, Period.of_agreement(agreement))

    for status in [Status.COMPLETED, Status.DROPPED_OUT, Status.REFUSED, Status.CERTIFIED, Status.ADMITTED] * 3:
        application = apply(session, status, left_days_ago=250)
        if status == Status.CERTIFIED:
            follow_up(application, FollowUpMilestone.SIX_MONTHS, Placement.CDI)
    with django_assert_num_queries(4):
        large = compute(agreement, Period.of_agreement(agreement))
    # Another period adds the one query that counts people over the whole agreement, for the cost.
    with django_assert_num_queries(5):
        compute(agreement, Period(start=days_ago(400), end=timezone.localdate()))

    assert (small.by_code("candidats").value, large.by_code("candidats").value) == (1, 16)
