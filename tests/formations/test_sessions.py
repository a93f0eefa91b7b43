import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formations.enums import ApplicationState
from formations.models import FormationPage, Session
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import FormationPageFactory, SessionFactory


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def formation(home_page):
    return FormationPageFactory()


DATE_FIELDS = {"start_date", "end_date", "application_deadline"}


def dated(fields):
    """Dates are written as a number of days from today, so that parameters stay true past midnight."""
    return {name: in_days(value) if name in DATE_FIELDS else value for name, value in fields.items()}


def unsaved_session(formation, **fields):
    values = {"start_date": 30, "end_date": 120, "application_deadline": 20, "capacity": 12}
    return Session(formation=formation, **dated({**values, **fields}))


def test_a_valid_session_passes_validation(formation):
    unsaved_session(formation).full_clean()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"end_date": 29},
            "end_date",
            "La date de fin doit venir après la date de début.",
        ),
        (
            {"application_deadline": 121},
            "application_deadline",
            "La date limite de candidature doit venir avant la fin de la session.",
        ),
        (
            {"capacity": 4, "seats_taken": 5},
            "capacity",
            "Il y a déjà 5 inscrit·es, la capacité ne peut pas descendre sous 5.",
        ),
    ],
    ids=["ends-before-it-starts", "deadline-after-the-end", "fewer-seats-than-taken"],
)
def test_an_inconsistent_session_is_refused_on_the_right_field(formation, fields, field, message):
    session = unsaved_session(formation, **fields)

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert error.value.message_dict == {field: [message]}


def test_a_session_may_end_the_day_it_starts_and_close_applications_that_day(formation):
    unsaved_session(formation, start_date=5, end_date=5, application_deadline=5).full_clean()


@pytest.mark.parametrize(
    ("seats_taken", "fields", "constraint"),
    [
        (0, {"end_date": 29}, "session_ends_after_start"),
        (0, {"application_deadline": 121}, "session_deadline_before_end"),
        (0, {"capacity": 0}, "session_has_seats"),
        (5, {"capacity": 4}, "session_not_overbooked"),
    ],
)
def test_the_database_refuses_an_inconsistent_session_saved_without_validation(
    formation, seats_taken, fields, constraint
):
    session = SessionFactory(
        formation=formation, seats_taken=seats_taken, **dated({"start_date": 30, "end_date": 120})
    )
    for name, value in dated(fields).items():
        setattr(session, name, value)

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        session.save()

    session.refresh_from_db()
    assert session.capacity == 12


def test_a_session_takes_its_campus_from_its_formation(home_page):
    campus = CampusPageFactory()
    formation = FormationPageFactory(parent=campus)

    session = Session.objects.create(
        formation=formation,
        start_date=in_days(30),
        end_date=in_days(120),
        application_deadline=in_days(20),
        capacity=12,
    )

    assert session.campus_id == campus.pk
    assert Session.objects.get(pk=session.pk).campus.specific == campus


def test_a_session_given_another_campus_formation_follows_it_to_that_campus(home_page):
    session = SessionFactory(formation=FormationPageFactory())
    other_campus = CampusPageFactory()

    session.formation = FormationPageFactory(parent=other_campus)
    session.save()

    assert Session.objects.get(pk=session.pk).campus_id == other_campus.pk


@pytest.mark.parametrize(
    ("situation", "is_open"),
    [
        ({}, True),
        ({"application_deadline": 0}, True),
        ({"application_deadline": -1, "start_date": 3}, False),
        ({"start_date": 0, "application_deadline": 0}, True),
        ({"start_date": -1, "application_deadline": 5}, False),
        ({"start_date": -2, "application_deadline": 5}, False),
        ({"capacity": 12, "seats_taken": 11}, True),
        ({"full": True}, True),
        ({"closed": True}, False),
    ],
    ids=[
        "open",
        "deadline-today",
        "deadline-yesterday",
        "starts-today",
        "started-yesterday",
        "started-two-days-ago-deadline-in-five",
        "one-seat-left",
        "full-waitlist",
        "unticked",
    ],
)
def test_the_queryset_and_the_session_agree_on_open_for_applications(formation, situation, is_open):
    session = SessionFactory(formation=formation, **dated(situation))

    assert Session.objects.open_for_applications().contains(session) is is_open
    assert session.is_open_for_applications() is is_open


def test_seats_left_tell_a_full_session_from_one_with_places(formation):
    full = SessionFactory(formation=formation, full=True)
    one_left = SessionFactory(formation=formation, capacity=12, seats_taken=11)

    assert list(Session.objects.with_seats_left()) == [one_left]
    assert full.is_full and not one_left.is_full


def accepts_applications_in_words(ticked, deadline, start, today):
    """docs/inscriptions.md, « Postuler »: ticked, the deadline not passed, the session not started; full or not."""
    return ticked and not deadline < today and not start < today


def state_in_words(session, today):
    """Open with a seat left, full but open (waitlist), or closed."""
    if not accepts_applications_in_words(
        session.applications_open, session.application_deadline, session.start_date, today
    ):
        return ApplicationState.CLOSED
    return ApplicationState.OPEN if session.capacity - session.seats_taken > 0 else ApplicationState.WAITLIST


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sessions=st.lists(
        st.tuples(st.booleans(), st.integers(-3, 3), st.integers(-3, 3), st.integers(0, 3)), min_size=1, max_size=6
    ),
    today_shift=st.integers(-2, 2),
)
def test_the_rule_in_words_the_queryset_and_the_session_agree(formation, sessions, today_shift):
    today = in_days(today_shift)
    with transaction.atomic():
        created = [
            SessionFactory(
                formation=formation,
                applications_open=ticked,
                application_deadline=in_days(deadline),
                start_date=in_days(start),
                end_date=in_days(10),
                capacity=2,
                seats_taken=taken if taken <= 2 else 2,
            )
            for ticked, deadline, start, taken in sessions
        ]
        expected = {
            session.pk
            for session in created
            if accepts_applications_in_words(
                session.applications_open, session.application_deadline, session.start_date, today
            )
        }
        from_database = set(
            Session.objects.filter(pk__in=[s.pk for s in created])
            .open_for_applications(today)
            .values_list("pk", flat=True)
        )
        in_memory = {session.pk for session in created if session.is_open_for_applications(today)}
        states = {session.pk: state_in_words(session, today) for session in created}
        states_from_database = dict(
            Session.objects.filter(pk__in=states).with_application_state(today).values_list("pk", "application_state")
        )
        states_in_memory = {session.pk: session.application_state(today) for session in created}
        transaction.set_rollback(True)

    assert from_database == expected
    assert in_memory == expected
    assert states_from_database == states
    assert states_in_memory == states


@pytest.mark.parametrize(
    ("start", "is_upcoming"),
    [(1, True), (0, True), (-1, False), (-60, False)],
    ids=["tomorrow", "today", "yesterday", "two-months-ago"],
)
def test_upcoming_sessions_start_today_or_later(formation, start, is_upcoming):
    session = SessionFactory(formation=formation, **dated({"start_date": start, "application_deadline": start}))

    assert Session.objects.upcoming().contains(session) is is_upcoming


def test_upcoming_and_open_take_the_date_they_are_given(formation):
    session = SessionFactory(formation=formation, start_date=in_days(30), application_deadline=in_days(20))

    assert not Session.objects.upcoming(today=in_days(31)).contains(session)
    assert not Session.objects.open_for_applications(today=in_days(21)).contains(session)
    assert Session.objects.open_for_applications(today=in_days(20)).contains(session)


def test_a_formation_with_sessions_cannot_be_deleted(formation):
    SessionFactory(formation=formation)

    with pytest.raises(ProtectedError):
        formation.delete()

    assert FormationPage.objects.filter(pk=formation.pk).exists()


def test_a_campus_whose_formations_have_sessions_cannot_be_deleted(formation):
    SessionFactory(formation=formation)
    campus = formation.get_parent()

    with pytest.raises(ProtectedError):
        campus.delete()

    assert FormationPage.objects.filter(pk=formation.pk).exists()


def test_a_formation_without_sessions_can_be_deleted(formation):
    formation.delete()

    assert not FormationPage.objects.filter(pk=formation.pk).exists()
