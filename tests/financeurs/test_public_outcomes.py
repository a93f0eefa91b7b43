"""What became of those who did a formation, on its page: the funders' 6-month result, in counts, from 10 people.

docs/indicators.md, « Résultats publiés sur la page d'une formation ».
"""

import datetime
import os

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from financeurs.enums import IndicatorCode
from financeurs.indicators import Period, compute
from financeurs.indicators.public import formation_counts, formation_outcomes, window
from inscriptions.enums import FollowUpMilestone, Placement
from inscriptions.models import Application, FollowUp, Learner, add_months
from inscriptions.workflow import Stage, Status
from tests.campus.factories import CampusPageFactory
from tests.financeurs.factories import AgreementFactory
from tests.financeurs.reference import public_outcomes as reference
from tests.financeurs.reference import rows
from tests.financeurs.reference.cohorts import FORMATIONS, worlds
from tests.financeurs.reference.writing import build_places, write_world
from tests.formations.factories import FormationPageFactory, SessionFactory

pytestmark = pytest.mark.django_db

D = datetime.date
# Its last departure day due at 6 months is 31 March 2026, and the window opens on 31 March 2024.
TODAY = D(2026, 9, 30)
DAY = datetime.timedelta(days=1)
NOT_YET = "Pas encore assez de recul"


def leave(session, left_on, count=1, *, placement=None, recorded_on=None, status=Status.COMPLETED):
    """`count` people who left `session` on `left_on`, with a 6-month follow-up when `placement` is given
    (recorded on the day it is due unless `recorded_on` says otherwise). Written in bulk: the tests need many."""
    learners = Learner.objects.bulk_create(
        Learner(first_name=f"Prénom{n}", last_name=f"Nom{n}", postcode="93300", commune="Aubervilliers")
        for n in range(count)
    )
    submitted = timezone.make_aware(datetime.datetime.combine(session.start_date - 20 * DAY, datetime.time(10)))
    applications = Application.objects.bulk_create(
        Application(
            learner=learner,
            session=session,
            campus_id=session.campus_id,
            status=status,
            motivation="Je veux apprendre un métier.",
            age_on_submission=20,
            submitted_at=submitted,
            status_changed_at=submitted,
            decided_at=submitted,
            left_on=left_on,
            furthest_stage=Stage.STARTED,
            entry_recorded_at=submitted + 20 * DAY,
        )
        for learner in learners
    )
    if placement is not None:
        due_on = add_months(left_on, FollowUpMilestone.SIX_MONTHS)
        recorded_at = timezone.make_aware(datetime.datetime.combine(recorded_on or due_on, datetime.time(10)))
        FollowUp.objects.bulk_create(
            FollowUp(
                application=application,
                milestone=FollowUpMilestone.SIX_MONTHS,
                placement=placement,
                recorded_at=recorded_at,
                due_on=due_on,
            )
            for application in applications
        )
    return applications


@pytest.fixture
def campus():
    return CampusPageFactory(title="Campus des Courtillières")


@pytest.fixture
def formation(campus):
    return FormationPageFactory(parent=campus, title="Technicien·ne d’assistance informatique")


@pytest.fixture
def session(formation):
    return SessionFactory(formation=formation, start_date=D(2025, 9, 1), end_date=D(2025, 12, 19))


def counts(outcomes):
    return outcomes.leavers_due, outcomes.answered, outcomes.positive


# --- The rule ------------------------------------------------------------------------------------


def test_the_window_runs_24_months_back_from_the_last_departure_due_at_6_months():
    assert window(TODAY) == (D(2024, 3, 31), D(2026, 3, 31))
    # 31 August is due on 28 February: on that day, the last due departure is 31 August, 24 months back a 31st.
    assert window(D(2027, 2, 28)) == (D(2024, 8, 31), D(2026, 8, 31))


def test_nine_leavers_due_publish_nothing_ten_publish_the_counts(session):
    leave(session, D(2025, 12, 19), 9, placement=Placement.CDI)
    assert formation_outcomes(session.formation, TODAY) is None
    assert counts(formation_counts(session.formation, TODAY)) == (9, 9, 9)

    leave(session, D(2025, 12, 19), placement=Placement.JOB_SEEKING)
    assert counts(formation_outcomes(session.formation, TODAY)) == (10, 10, 9)


def test_only_leavers_due_at_6_months_within_24_months_count(session):
    leave(session, D(2024, 3, 31), placement=Placement.CDI)  # 24 months before the last due day: counted
    leave(session, D(2024, 3, 30), placement=Placement.CDI)  # 24 months and a day: too old
    leave(session, D(2026, 3, 31), placement=Placement.CDI)  # due today: counted
    leave(session, D(2026, 4, 1), placement=Placement.CDI, recorded_on=TODAY)  # not due yet
    leave(session, None, status=Status.IN_TRAINING)  # not a leaver

    assert counts(formation_counts(session.formation, TODAY)) == (2, 2, 2)


def test_a_follow_up_taken_early_or_unknown_is_no_answer_and_the_silent_count_among_leavers(session):
    leave(session, D(2025, 12, 19), placement=Placement.CDI, recorded_on=D(2026, 6, 1))  # 18 days early
    leave(session, D(2025, 12, 19), placement=Placement.UNKNOWN)
    leave(session, D(2025, 12, 19))
    leave(session, D(2025, 12, 19), placement=Placement.CDD_SHORT)  # an answer, not a positive situation
    leave(session, D(2025, 12, 19), placement=Placement.TRAINING, status=Status.DROPPED_OUT)

    assert counts(formation_counts(session.formation, TODAY)) == (5, 2, 1)


def test_a_person_counts_once_and_only_for_this_formation(campus, session):
    [first] = leave(session, D(2025, 12, 19), placement=Placement.CDI)
    later = SessionFactory(formation=session.formation, start_date=D(2026, 1, 5), end_date=D(2026, 2, 27))
    [again] = leave(later, D(2026, 2, 27), placement=Placement.CDI)
    Application.objects.filter(pk=again.pk).update(learner=first.learner)
    other = SessionFactory(formation=FormationPageFactory(parent=campus), start_date=D(2025, 9, 1))
    leave(other, D(2025, 12, 19), 3, placement=Placement.CDI)

    assert counts(formation_counts(session.formation, TODAY)) == (1, 1, 1)


def test_the_counts_are_those_of_the_funders_indicator_over_the_same_people(campus, session):
    later = SessionFactory(formation=session.formation, start_date=D(2026, 1, 5), end_date=D(2026, 2, 27))
    leave(session, D(2025, 12, 19), 6, placement=Placement.CDI)
    leave(session, D(2025, 10, 1), 2, placement=Placement.INTERIM, status=Status.DROPPED_OUT)
    leave(session, D(2025, 12, 19), 2, placement=Placement.UNKNOWN)
    leave(later, D(2026, 2, 27), 3, placement=Placement.ALTERNANCE, recorded_on=D(2026, 8, 20))  # early
    leave(later, D(2026, 2, 27), 4)
    agreement = AgreementFactory(
        campuses=[campus], formations=[session.formation], start_date=D(2025, 1, 1), end_date=D(2026, 12, 31)
    )

    funders = compute(agreement, Period(D(2025, 1, 1), D(2026, 12, 31)), today=TODAY).by_code(
        IndicatorCode.POSITIVE_6_MONTHS
    )
    published = formation_outcomes(session.formation, TODAY)

    assert counts(published) == (17, 8, 6)
    assert (funders.denominator_over_all, funders.denominator, funders.numerator) == counts(published)


def test_the_counts_take_one_query_whatever_the_number_of_people(session, django_assert_num_queries):
    leave(session, D(2025, 12, 19), 3, placement=Placement.CDI)
    with django_assert_num_queries(1):
        formation_counts(session.formation, TODAY)
    leave(session, D(2025, 12, 19), 60, placement=Placement.CDI)
    with django_assert_num_queries(1):
        formation_counts(session.formation, TODAY)


# --- The same as the published words, on random worlds --------------------------------------------


@pytest.fixture
def places():
    return build_places()


@st.composite
def page_worlds(draw):
    """The reference's worlds, with more people (a formation reaches 10 leavers) and later days (the window's
    first day passes over some departures), on the edges of the window most of all."""
    world = draw(worlds())
    times = draw(st.sampled_from([1, 3, 5]))
    people = []
    for _round in range(times):
        for someone in world.people:
            if someone.erased and _round:
                continue  # Erasing goes through the product, one person at a time: one erased copy is enough.
            people.append(
                rows.Person(
                    key=len(people),
                    applications=[rows.Application(**vars(a)) for a in someone.applications],
                    profile=someone.profile,
                    erased=someone.erased,
                )
            )
    order = 0
    for someone in people:
        for item in someone.applications:
            item.order = order
            order += 1
    # The day a departure leaves the window: 30 months after it, give or take a day.
    edges = sorted(
        {
            add_months(a.left_on, months) + datetime.timedelta(days=d)
            for someone in people
            for a in someone.applications
            if a.left_on
            for months in (6, 30)
            for d in (-1, 0, 1)
        }
    )
    today = draw(
        st.one_of(
            st.just(world.today), st.dates(D(2025, 6, 1), D(2028, 6, 30)), st.sampled_from(edges or [world.today])
        )
    )
    return rows.World(sessions=world.sessions, people=people, agreements=world.agreements, today=today)


EXPLORE = os.environ.get("INDICATORS_REFERENCE_EXAMPLES")


@settings(
    max_examples=int(EXPLORE or 40),
    deadline=None,
    derandomize=not EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=page_worlds())
def test_the_published_counts_are_those_of_the_words_of_the_documentation(places, world):
    with transaction.atomic():
        write_world(world, places)
        found = []
        for key in FORMATIONS:
            expected = reference.outcomes(world, key, world.today)
            product = formation_counts(places.formations[key], world.today)
            if counts(product) != expected:
                found.append(f"{key}, aujourd'hui {world.today}: Tremplin {counts(product)}, référence {expected}")
            published = formation_outcomes(places.formations[key], world.today) is not None
            if published != (expected[0] >= reference.MIN_LEAVERS):
                found.append(f"{key}, aujourd'hui {world.today}: publié {published}")
        transaction.set_rollback(True)
    assert not found, "\n".join(found)


# --- On the formation page -----------------------------------------------------------------------


def left_months_ago(months):
    return add_months(timezone.localdate(), -months)


def test_the_page_says_it_is_too_early_below_ten_leavers(client, session):
    leave(session, left_months_ago(8), 9, placement=Placement.CDI)

    page = client.get(session.formation.url).content.decode()

    assert "Ce que deviennent les personnes formées" in page
    assert (
        "Pas encore assez de recul : les résultats s’afficheront quand au moins 10 personnes seront sorties "
        "depuis 6 mois." in page
    )
    assert 'role="img"' not in page


def test_the_page_gives_the_sentence_and_its_bar(client, session):
    leave(session, left_months_ago(8), 24, placement=Placement.CDI)
    leave(session, left_months_ago(9), 7, placement=Placement.JOB_SEEKING)
    leave(session, left_months_ago(7), 7)

    page = client.get(session.formation.url).content.decode()

    assert (
        "Sur les 38 personnes sorties de cette formation, 24 avaient un emploi ou une formation 6 mois après "
        "(31 ont répondu)." in page
    )
    assert "Sur 38 personnes : 24 en emploi ou en formation, 7 dans une autre situation, 7 sans réponse." in page
    assert NOT_YET not in page
    # Counts only: never a name.
    assert "Prénom0" not in page and "Nom0" not in page


def test_the_page_takes_the_same_queries_whatever_the_number_of_leavers(
    client, session, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Its address first: the first time, finding it reads the sites, which the page's count does not include.
    url = session.formation.url
    leave(session, left_months_ago(8), 10, placement=Placement.CDI)
    assert client.get(url).status_code == 200  # the site, read once and kept (home.sites)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(url).status_code == 200
    leave(session, left_months_ago(8), 200, placement=Placement.CDI)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()

    assert "Sur les 210 personnes" in page
    assert len(many) == len(ten)
