"""The catalogue sorts on each formation's stored card session start (FormationPage.card_session_start): stored
when sessions or the page change, computed again once it no longer holds, so the order is always today's."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formations import models as formation_models
from formations.models import FormationPage
from tests.formations.catalogue.browsing import browse, in_days, titles
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.formations.test_sessions import accepts_applications_in_words


def card_start_in_words(sessions, today):
    """docs: a card shows the first session one can apply to (full or not), else the first to come; None without
    a session to come."""
    upcoming = [session for session in sessions if session.start_date >= today]
    open_ones = [
        session
        for session in upcoming
        if accepts_applications_in_words(
            session.applications_open, session.application_deadline, session.start_date, today
        )
    ]
    chosen = open_ones or upcoming
    return min(session.start_date for session in chosen) if chosen else None


def shown_start(formation, today):
    return FormationPage.objects.with_card_session(today=today).get(pk=formation.pk).next_session_start


def stored(formation):
    return FormationPage.objects.values_list("card_session_start", "card_session_start_until").get(pk=formation.pk)


@pytest.fixture
def formation(campus):
    return FormationPageFactory(parent=campus, title="Développeur web")


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sessions=st.lists(st.tuples(st.booleans(), st.integers(-2, 8), st.integers(-2, 8)), min_size=0, max_size=5),
    stored_on=st.integers(-3, 3),
)
def test_the_stored_start_and_the_rule_in_words_agree_on_every_day_after(formation, sessions, stored_on):
    with transaction.atomic():
        created = [
            SessionFactory(
                formation=formation,
                applications_open=ticked,
                application_deadline=in_days(min(deadline, start + 10)),
                start_date=in_days(start),
                end_date=in_days(20),
            )
            for ticked, deadline, start in sessions
        ]
        FormationPage.objects.filter(pk=formation.pk).store_card_session_start(in_days(stored_on))
        shown = {day: shown_start(formation, in_days(day)) for day in range(stored_on, 12)}
        transaction.set_rollback(True)

    assert shown == {day: card_start_in_words(created, in_days(day)) for day in range(stored_on, 12)}


def test_a_new_session_is_stored_at_once(formation):
    session = SessionFactory(formation=formation, start_date=in_days(30), application_deadline=in_days(20))

    assert stored(formation) == (session.start_date, in_days(20))


def test_the_stored_start_holds_until_the_deadline_of_the_session_one_can_apply_to(formation):
    SessionFactory(formation=formation, start_date=in_days(30), application_deadline=in_days(20))
    SessionFactory(formation=formation, start_date=in_days(60), application_deadline=in_days(50))

    assert stored(formation) == (in_days(30), in_days(20))


def test_a_closed_session_holds_until_it_starts(formation):
    SessionFactory(formation=formation, start_date=in_days(30), application_deadline=in_days(20), closed=True)

    assert stored(formation) == (in_days(30), in_days(30))


def test_without_a_session_to_come_the_stored_start_holds_until_a_session_changes(formation):
    SessionFactory(formation=formation, past=True)

    assert stored(formation) == (None, datetime.date.max)


def test_a_changed_or_deleted_session_is_stored_again(formation):
    first = SessionFactory(formation=formation, start_date=in_days(30), application_deadline=in_days(20))
    SessionFactory(formation=formation, start_date=in_days(60), application_deadline=in_days(50))

    first.applications_open = False
    first.save()
    assert stored(formation)[0] == in_days(60)

    first.delete()
    assert stored(formation)[0] == in_days(60)
    formation.sessions.all().delete()
    assert stored(formation) == (None, datetime.date.max)


def test_a_session_moved_to_another_formation_leaves_its_card(campus, formation):
    other = FormationPageFactory(parent=campus, title="Technicien réseau")
    session = SessionFactory(formation=formation, start_date=in_days(30), application_deadline=in_days(20))

    session = type(session).objects.get(pk=session.pk)  # as the admin's form reads it
    session.formation = other
    session.save()

    assert stored(formation) == (None, datetime.date.max)
    assert stored(other)[0] == in_days(30)


def test_a_page_saved_with_an_old_copy_of_the_start_stores_it_again(formation):
    """Wagtail publishes a revision by saving the copy of the page it holds, stored start included."""
    revision = formation.save_revision()
    SessionFactory(formation=formation, start_date=in_days(30), application_deadline=in_days(20))

    revision.publish()

    assert stored(formation)[0] == in_days(30)


def test_a_start_never_stored_is_stored_the_next_time_the_catalogue_is_built(client, campus):
    later = FormationPageFactory(parent=campus, title="Plus tard")
    SessionFactory(formation=later, start_date=in_days(40), application_deadline=in_days(30))
    sooner = FormationPageFactory(parent=campus, title="Bientôt")
    SessionFactory(formation=sooner, start_date=in_days(10), application_deadline=in_days(5))
    # As rows written without the models' saves leave it (bulk inserts, a migration).
    FormationPage.objects.update(card_session_start=None, card_session_start_until=None)
    formation_models._live_with_card_fields.cache_clear()

    assert titles(browse(client)) == ["Bientôt", "Plus tard"]
    assert stored(sooner) == (in_days(10), in_days(5))


def test_a_start_out_of_date_sorts_by_today_s_sessions(client, campus):
    """The first session's deadline passed since the start was stored: the card's session is the next one."""
    changed = FormationPageFactory(parent=campus, title="Deadline passée")
    SessionFactory(formation=changed, start_date=in_days(5), application_deadline=in_days(-1))
    SessionFactory(formation=changed, start_date=in_days(50), application_deadline=in_days(40))
    steady = FormationPageFactory(parent=campus, title="Sans changement")
    SessionFactory(formation=steady, start_date=in_days(20), application_deadline=in_days(15))
    # Stored three days ago, when the first session of « Deadline passée » still took applications.
    FormationPage.objects.filter(pk=changed.pk).update(
        card_session_start=in_days(5), card_session_start_until=in_days(-1)
    )
    formation_models._live_with_card_fields.cache_clear()

    assert titles(browse(client)) == ["Sans changement", "Deadline passée"]
