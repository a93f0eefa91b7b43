"""What an auditor found wrong in the funders' figures, each now told as the behaviour docs/indicators.md defines."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from financeurs.indicators import Period, compute
from inscriptions.enums import Diploma, FollowUpMilestone, Gender, Placement, Situation
from inscriptions.models import Application
from inscriptions.services import erase_learner, release_unpaid_seat, save_profile, withdraw
from inscriptions.workflow import Role, Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.factories import AgreementFactory, days_ago
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, LearnerFactory, move_to


def moment(days):
    return timezone.now() - datetime.timedelta(days=days)


def session_at(campus, started_days_ago=300, lasting=90):
    return SessionFactory(
        formation=FormationPageFactory(parent=campus),
        start_date=days_ago(started_days_ago),
        end_date=days_ago(started_days_ago - lasting),
        application_deadline=days_ago(started_days_ago + 7),
        capacity=30,
    )


def application_to(session, status, *, left_days_ago=30, learner=None, **profile):
    """An application walked through the product's transitions to `status`, leaving `left_days_ago` if it left."""
    application = ApplicationFactory(session=session, learner=learner or LearnerFactory(**profile))
    staff = UserFactory(staff_of=session.campus)
    if status in {Status.COMPLETED, Status.DROPPED_OUT, Status.CERTIFIED, Status.NOT_CERTIFIED}:
        departure = Status.DROPPED_OUT if status == Status.DROPPED_OUT else Status.COMPLETED
        move_to(application, departure, actor=staff, now=moment(left_days_ago))
    move_to(application, status, actor=staff)
    return application


def whole(agreement):
    return compute(agreement, Period.of_agreement(agreement))


@pytest.fixture
def north():
    return CampusPageFactory(title="Campus Nord")


@pytest.fixture
def south():
    return CampusPageFactory(title="Campus Sud")


@pytest.fixture
def agreement(north):
    return AgreementFactory(campuses=[north], start_date=days_ago(700))


def test_a_session_moved_to_another_campus_takes_its_people_to_that_campus_agreements(north, south, agreement):
    session = session_at(north)
    trained = [application_to(session, Status.IN_TRAINING) for _ in range(2)]
    south_agreement = AgreementFactory(campuses=[south], start_date=days_ago(700))
    assert (whole(agreement).by_code("entres").value, whole(south_agreement).by_code("entres").value) == (2, 0)

    # The session was filed under the wrong formation: it belongs to one of the other campus.
    session.formation = FormationPageFactory(parent=south)
    session.save()

    assert (whole(agreement).by_code("entres").value, whole(south_agreement).by_code("entres").value) == (0, 2)
    # The staff of the new campus see them; those of the old one no longer do.
    assert set(Application.objects.visible_to(UserFactory(staff_of=south))) == set(trained)
    assert not Application.objects.visible_to(UserFactory(staff_of=north)).exists()


def test_the_campus_counted_is_the_session_s_whatever_an_application_copied(north, south, agreement):
    trained = application_to(session_at(south), Status.IN_TRAINING)
    # A copy left behind from before the session moved.
    Application.objects.filter(pk=trained.pk).update(campus=north)

    assert whole(agreement).by_code("entres").value == 0
    assert whole(AgreementFactory(campuses=[south], start_date=days_ago(700))).by_code("entres").value == 1


def test_situation_inconnue_is_not_a_response(north, agreement):
    session = session_at(north)
    placed, unknown = (application_to(session, Status.COMPLETED) for _ in range(2))
    FollowUpFactory(application=placed, milestone=FollowUpMilestone.EXIT, placement=Placement.CDI)
    FollowUpFactory(application=unknown, milestone=FollowUpMilestone.EXIT, placement=Placement.UNKNOWN)

    report = whole(agreement)

    assert report.by_code("taux_reponse_sortie").value == Decimal("50.0")
    positive = report.by_code("sorties_positives")
    assert (positive.value, positive.numerator, positive.denominator) == (Decimal("100.0"), 1, 1)
    assert (positive.value_over_all, positive.denominator_over_all) == (Decimal("50.0"), 2)


def figures(report):
    return {
        result.code: (result.value, result.numerator, result.denominator, getattr(result, "women", None))
        for result in [*report.indicators, *report.esf]
    }


def test_erasing_an_account_changes_no_count(north, agreement):
    session = session_at(north, started_days_ago=-20)  # starts in 20 days: seats are still being given
    admitted = application_to(session, Status.ADMITTED)
    enrolled = application_to(session, Status.ENROLLED)
    trained = application_to(session_at(north), Status.CERTIFIED, gender=Gender.FEMALE)
    FollowUpFactory(application=trained, milestone=FollowUpMilestone.EXIT, placement=Placement.CDI)
    before = figures(whole(agreement))

    for application in (admitted, enrolled, trained):
        erase_learner(application.learner)

    assert figures(whole(agreement)) == before
    assert whole(agreement).by_code("admis").value == 3
    admitted.refresh_from_db()
    assert admitted.status == Status.WITHDRAWN


def test_a_profile_edited_after_entry_changes_no_esf_figure_at_entry(north, agreement):
    application = application_to(
        session_at(north),
        Status.IN_TRAINING,
        gender=Gender.FEMALE,
        situation=Situation.JOB_SEEKER_REGISTERED,
        diploma=Diploma.BREVET,
    )
    before = figures(whole(agreement))
    learner = application.learner

    learner.gender, learner.situation, learner.diploma = Gender.MALE, Situation.EMPLOYED, Diploma.BAC_3_PLUS
    learner.job_seeking_duration = ""
    save_profile(learner, user=learner.user, consented=False)

    report = whole(agreement)
    assert figures(report) == before
    assert (report.by_code("EECO02").value, report.by_code("EECO02").women) == (1, 1)
    assert (report.by_code("EECO09").value, report.by_code("EECO05").value) == (1, 0)
    assert report.by_code("part_femmes").value == Decimal("100.0")


def test_a_six_month_follow_up_recorded_early_counts_neither_in_eecr05_nor_in_positive_exits_at_six_months(
    north, agreement
):
    # Left 200 days ago: the 6-month follow-up was due about 17 days ago.
    early, on_time = (application_to(session_at(north), Status.COMPLETED, left_days_ago=200) for _ in range(2))
    due = early.follow_up_due_dates()[FollowUpMilestone.SIX_MONTHS]
    for application, recorded_on in ((early, due - datetime.timedelta(days=10)), (on_time, due)):
        FollowUpFactory(
            application=application,
            milestone=FollowUpMilestone.SIX_MONTHS,
            placement=Placement.CDI,
            recorded_at=timezone.make_aware(datetime.datetime.combine(recorded_on, datetime.time(0, 30))),
        )

    report = whole(agreement)

    six_months = report.by_code("sorties_positives_6_mois")
    assert (six_months.value, six_months.numerator, six_months.denominator) == (Decimal("100.0"), 1, 1)
    assert (six_months.value_over_all, six_months.denominator_over_all) == (Decimal("50.0"), 2)
    assert report.by_code("taux_reponse_6_mois").value == Decimal("50.0")
    assert report.by_code("EECR05").value == 1


def test_a_seat_holder_whose_later_application_was_withdrawn_still_counts_among_admitted(north, agreement):
    learner = LearnerFactory()
    application_to(session_at(north, started_days_ago=300), Status.ADMITTED, learner=learner)
    later = application_to(session_at(north, started_days_ago=100), Status.SUBMITTED, learner=learner)
    withdraw(later, role=Role.LEARNER, actor=learner.user)

    report = whole(agreement)

    assert (report.by_code("candidats").value, report.by_code("admis").value) == (1, 1)


def test_a_seat_given_back_still_counts_among_admitted(north, agreement):
    session = session_at(north, started_days_ago=-20)
    withdrawn = application_to(session, Status.ENROLLED)
    withdraw(withdrawn, role=Role.LEARNER, actor=withdrawn.learner.user)
    application_to(session, Status.ADMITTED)
    released = application_to(session, Status.ADMITTED)
    release_unpaid_seat(released, role=Role.SYSTEM)  # not paid in time: back to the waitlist

    report = whole(agreement)

    assert released.status == Status.WAITLISTED
    assert (report.by_code("admis").value, report.by_code("inscrits").value) == (3, 1)


def test_a_rate_with_a_base_under_10_gets_no_verdict(north):
    agreement = AgreementFactory(campuses=[north], start_date=days_ago(700), targets={"part_femmes": 50})
    session = session_at(north)
    for _ in range(9):
        application_to(session, Status.IN_TRAINING, gender=Gender.FEMALE)

    women = whole(agreement).by_code("part_femmes")
    assert (women.value, women.denominator, women.target_met) == (Decimal("100.0"), 9, None)
    assert women.verdict_withheld

    application_to(session, Status.IN_TRAINING, gender=Gender.FEMALE)
    assert whole(agreement).by_code("part_femmes").target_met is True


def test_a_partial_period_gets_no_verdict(north):
    agreement = AgreementFactory(campuses=[north], start_date=days_ago(700), targets={"candidats": 1})
    application_to(session_at(north), Status.SUBMITTED)

    partial = compute(agreement, Period(days_ago(400), timezone.localdate())).by_code("candidats")
    assert (partial.value, partial.target_met) == (1, None)
    assert partial.verdict_withheld
    assert whole(agreement).by_code("candidats").target_met is True
