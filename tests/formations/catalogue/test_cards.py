"""The public catalogue at /formations/, its cards: each shows the next session that answers the active filters."""

import pytest
from django.utils import dateformat

from formations.enums import Format, Schedule
from tests.formations.catalogue.browsing import browse, in_days, titles
from tests.formations.factories import FormationPageFactory, SessionFactory

FIRST, SECOND = in_days(20), in_days(60)


def card(response, title):
    cards = [card for card in response.content.decode().split('<article class="card">')[1:] if f">{title}</a>" in card]
    assert len(cards) == 1
    return cards[0].split("</article>")[0]


def next_session(day):
    return f"Prochaine session : {dateformat.format(day, 'j F Y')}"


def two_sessions(campus, first, second=None, **formation):
    """A formation whose first session (in 20 days) is `first` and whose second (in 60 days) is `second`."""
    formation = FormationPageFactory(parent=campus, title="Développeur web", **formation)
    SessionFactory(formation=formation, start_date=FIRST, application_deadline=in_days(10), **first)
    SessionFactory(formation=formation, start_date=SECOND, application_deadline=in_days(50), **(second or {}))
    return formation


@pytest.mark.parametrize(
    ("first", "second", "params"),
    [
        ({"schedule": Schedule.FULL_TIME}, {"schedule": Schedule.PART_TIME}, {"rythme": Schedule.PART_TIME}),
        ({}, {}, {"debut_min": in_days(30).isoformat()}),
        ({"full": True}, {}, {"places": "on"}),
        ({"closed": True}, {}, {"places": "on"}),
    ],
    ids=["full-time-then-part-time", "too-early-then-after", "full-then-seats", "closed-then-open"],
)
def test_the_card_shows_the_session_that_answers_the_filters(client, campus, first, second, params):
    two_sessions(campus, first, second)

    shown = card(browse(client, params), "Développeur web")

    assert next_session(SECOND) in shown
    assert next_session(FIRST) not in shown
    assert "Candidatures ouvertes" in shown


def test_without_filters_the_card_shows_the_first_session(client, campus):
    two_sessions(campus, {"schedule": Schedule.FULL_TIME}, {"schedule": Schedule.PART_TIME})

    assert next_session(FIRST) in card(browse(client), "Développeur web")


def test_the_card_of_a_full_session_says_the_waitlist_is_open(client, campus):
    two_sessions(campus, {"full": True}, {"full": True})

    shown = card(browse(client), "Développeur web")

    assert next_session(FIRST) in shown
    assert "Complet : liste d’attente" in shown


def test_the_card_prefers_a_session_one_can_apply_to(client, campus):
    two_sessions(campus, {"closed": True})

    shown = card(browse(client), "Développeur web")

    assert next_session(SECOND) in shown
    assert "Candidatures ouvertes" in shown


def test_the_card_says_when_no_session_takes_applications(client, campus):
    two_sessions(campus, {"closed": True}, {"closed": True})

    shown = card(browse(client), "Développeur web")

    assert next_session(FIRST) in shown
    assert "Candidatures fermées" in shown


def test_the_format_filter_keeps_the_card_session(client, campus):
    """The format belongs to the formation: every session of a kept formation has it."""
    two_sessions(campus, {}, format=Format.REMOTE)

    assert next_session(FIRST) in card(browse(client, {"format": Format.REMOTE}), "Développeur web")


def test_one_session_must_answer_every_session_filter(client, campus):
    two_sessions(campus, {"schedule": Schedule.PART_TIME}, {"schedule": Schedule.FULL_TIME})
    two_sessions_matching = FormationPageFactory(parent=campus, title="Technicien réseau")
    SessionFactory(formation=two_sessions_matching, start_date=SECOND, schedule=Schedule.PART_TIME)

    response = browse(client, {"rythme": Schedule.PART_TIME, "debut_min": in_days(30).isoformat()})

    assert titles(response) == ["Technicien réseau"]


def test_sorting_by_date_follows_the_session_the_card_shows(client, campus):
    two_sessions(campus, {"schedule": Schedule.FULL_TIME}, {"schedule": Schedule.PART_TIME})
    between = FormationPageFactory(parent=campus, title="Technicien réseau")
    SessionFactory(formation=between, start_date=in_days(40), schedule=Schedule.PART_TIME)

    assert titles(browse(client, {"rythme": Schedule.PART_TIME})) == ["Technicien réseau", "Développeur web"]


def test_format_and_level_labels_are_djangos():
    """The cards' labels are read straight from the choices: the same words as Django's get_<field>_display."""
    from django.db.models import Model

    from formations.enums import CertificationLevel
    from formations.models import Certification, FormationPage

    for value in [*Format.values, "inconnu"]:
        formation = FormationPage(format=value)
        assert formation.get_format_display() == Model._get_FIELD_display(
            formation, FormationPage._meta.get_field("format")
        )
    for value in [*CertificationLevel.values, None]:
        certification = Certification(level=value)
        assert certification.get_level_display() == Model._get_FIELD_display(
            certification, Certification._meta.get_field("level")
        )
