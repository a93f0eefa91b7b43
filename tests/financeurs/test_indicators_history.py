"""The past does not move: once people entered training, what they edit or erase changes no figure of any period."""

import datetime

import pytest
from django.utils import timezone

from financeurs.indicators import Period, compute
from inscriptions.enums import (
    Diploma,
    FollowUpMilestone,
    Gender,
    JobSeekingDuration,
    Nationality,
    Placement,
    QpvResidence,
    Situation,
    YesNoUnsaid,
)
from inscriptions.models import EntryAnswers, Learner
from inscriptions.services import erase_learner, release_unpaid_seat, save_profile, withdraw
from inscriptions.workflow import Role, Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.factories import AgreementFactory, days_ago
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, LearnerFactory, move_to, years_ago

LEFT = {Status.COMPLETED, Status.DROPPED_OUT, Status.CERTIFIED, Status.NOT_CERTIFIED}


def moment(days):
    return timezone.now() - datetime.timedelta(days=days)


def session_of(formation, started_days_ago, lasting=90):
    return SessionFactory(
        formation=formation,
        start_date=days_ago(started_days_ago),
        end_date=days_ago(started_days_ago - lasting),
        application_deadline=days_ago(started_days_ago + 7),
        capacity=30,
    )


def walk(learner, session, status, *, left_days_ago=None):
    """Apply, and go through the product's transitions to `status` (leaving `left_days_ago`)."""
    application = ApplicationFactory(session=session, learner=learner)
    staff = UserFactory(staff_of=session.campus)
    if status in LEFT:
        departure = Status.DROPPED_OUT if status == Status.DROPPED_OUT else Status.COMPLETED
        move_to(application, departure, actor=staff, now=moment(left_days_ago))
    move_to(application, status, actor=staff)
    return application


def follow_up(application, milestone, placement, *, days_after_due=0):
    due = application.follow_up_due_dates()[milestone]
    recorded = timezone.make_aware(datetime.datetime.combine(due, datetime.time(10)))
    return FollowUpFactory(
        application=application,
        milestone=milestone,
        placement=placement,
        recorded_at=recorded + datetime.timedelta(days=days_after_due),
    )


@pytest.fixture
def world():
    """Two campuses, three formations, five sessions, and eleven people with the journeys the figures meet."""
    north, south = CampusPageFactory(title="Campus Nord"), CampusPageFactory(title="Campus Sud")
    web, support = FormationPageFactory(parent=north), FormationPageFactory(parent=north)
    network = FormationPageFactory(parent=south)
    first = session_of(web, started_days_ago=420)
    second = session_of(support, started_days_ago=220)
    southern = session_of(network, started_days_ago=260)
    current = session_of(web, started_days_ago=40)
    coming = session_of(support, started_days_ago=-30)

    awa = walk(
        LearnerFactory(gender=Gender.FEMALE, diploma=Diploma.NONE, qpv_residence=QpvResidence.YES, rqth=True),
        first,
        Status.CERTIFIED,
        left_days_ago=330,
    )
    follow_up(awa, FollowUpMilestone.EXIT, Placement.CDI)
    follow_up(awa, FollowUpMilestone.SIX_MONTHS, Placement.CDI, days_after_due=3)
    # Bilal left a first session, then came back and completed a second one.
    bilal = LearnerFactory(
        gender=Gender.MALE,
        situation=Situation.JOB_SEEKER_REGISTERED,
        job_seeking_duration=JobSeekingDuration.ONE_TO_2_YEARS,
        nationality=Nationality.OTHER,
    )
    walk(bilal, first, Status.DROPPED_OUT, left_days_ago=380)
    again = walk(bilal, second, Status.COMPLETED, left_days_ago=130)
    follow_up(again, FollowUpMilestone.EXIT, Placement.JOB_SEEKING)
    chloe = walk(
        LearnerFactory(gender=Gender.FEMALE, situation=Situation.EMPLOYED),
        southern,
        Status.NOT_CERTIFIED,
        left_days_ago=170,
    )
    follow_up(chloe, FollowUpMilestone.EXIT, Placement.UNKNOWN)
    follow_up(chloe, FollowUpMilestone.SIX_MONTHS, Placement.CDD_LONG, days_after_due=-5)  # recorded early
    dan = walk(
        LearnerFactory(situation=Situation.EMPLOYED, foreign_background=YesNoUnsaid.YES, rural_area=True),
        southern,
        Status.COMPLETED,
        left_days_ago=200,
    )
    follow_up(dan, FollowUpMilestone.EXIT, Placement.INTERNSHIP)
    follow_up(dan, FollowUpMilestone.SIX_MONTHS, Placement.CDI)
    walk(
        LearnerFactory(minor=True, guardian_consent_at=timezone.now(), housing_exclusion=True),
        current,
        Status.IN_TRAINING,
    )
    walk(LearnerFactory(birth_date=years_ago(56), diploma=Diploma.BAC_3_PLUS), second, Status.IN_TRAINING)
    # Admitted, then withdrawn; enrolled; a seat released for want of payment; still applying.
    withdrawn = walk(LearnerFactory(gender=Gender.FEMALE), coming, Status.ADMITTED)
    withdraw(withdrawn, role=Role.LEARNER, actor=withdrawn.learner.user)
    walk(LearnerFactory(), coming, Status.ENROLLED)
    released = walk(LearnerFactory(), coming, Status.ADMITTED)
    release_unpaid_seat(released, role=Role.SYSTEM)
    walk(LearnerFactory(gender=Gender.MALE), coming, Status.SUBMITTED)
    # Admitted at one session, then applied to another and withdrew that second application.
    holder = LearnerFactory(gender=Gender.OTHER)
    walk(holder, current, Status.ADMITTED)
    later = walk(holder, coming, Status.SUBMITTED)
    withdraw(later, role=Role.LEARNER, actor=holder.user)

    start = days_ago(500)
    agreements = [
        AgreementFactory(campuses=[north, south], start_date=start, targets={"entres": 4, "part_femmes": 40}),
        AgreementFactory(campuses=[north], formations=[web, support], start_date=start, targets={"abandons": 1}),
        AgreementFactory(campuses=[north, south], sessions=[second, southern, coming], start_date=start),
    ]
    return agreements


def periods(agreement):
    today = timezone.localdate()
    return [
        Period.of_agreement(agreement),
        Period(agreement.start_date, days_ago(250)),
        Period(days_ago(250), today),
        Period(days_ago(100), agreement.end_date),
    ]


def every_figure(agreements):
    figures = {}
    for agreement in agreements:
        for period in periods(agreement):
            report = compute(agreement, period)
            where = (agreement.reference, period.start, period.end)
            figures[(*where, "complete_on")] = report.results_complete_on
            figures[(*where, "still_in_training")] = report.still_in_training_after_end
            for result in [*report.indicators, *report.esf]:
                figures[(*where, result.code)] = tuple(
                    getattr(result, name, None)
                    for name in (
                        "value",
                        "numerator",
                        "denominator",
                        "target_met",
                        "value_over_all",
                        "denominator_over_all",
                        "women",
                        "men",
                    )
                )
    return figures


def changed(before, after):
    return {key: (value, after[key]) for key, value in before.items() if after[key] != value}


def test_the_cohort_is_counted(world):
    report = compute(world[0], Period.of_agreement(world[0]))

    assert report.by_code("candidats").value == 11
    assert report.by_code("admis").value == 10
    assert report.by_code("entres").value == 6
    assert report.by_code("EECO01").value == 6


def test_profiles_and_answers_edited_after_entry_change_no_figure(world):
    before = every_figure(world)

    for learner in Learner.objects.all():
        learner.gender = Gender.MALE if learner.gender == Gender.FEMALE else Gender.FEMALE
        learner.diploma = Diploma.BAC_2 if learner.diploma != Diploma.BAC_2 else Diploma.NONE
        learner.situation, learner.job_seeking_duration = Situation.STUDENT, ""
        learner.qpv_residence = QpvResidence.NO if learner.qpv_residence == QpvResidence.YES else QpvResidence.YES
        save_profile(learner, user=learner.user, consented=False)
        answers = EntryAnswers.of(learner) or EntryAnswers(learner=learner, answered_at=timezone.now())
        answers.rqth, answers.housing_exclusion, answers.rural_area = (
            not answers.rqth,
            not answers.housing_exclusion,
            not answers.rural_area,
        )
        answers.nationality = Nationality.FRENCH if answers.nationality == Nationality.OTHER else Nationality.OTHER
        answers.foreign_background = (
            YesNoUnsaid.NO if answers.foreign_background == YesNoUnsaid.YES else YesNoUnsaid.YES
        )
        answers.save()

    assert changed(before, every_figure(world)) == {}


def test_erasing_every_account_changes_no_figure(world):
    before = every_figure(world)

    for learner in Learner.objects.all():
        erase_learner(learner)

    assert changed(before, every_figure(world)) == {}
