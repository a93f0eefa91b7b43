"""The public catalogue at /formations/, bad values: explained, the other filters still apply, never a server error."""

import html

import pytest

from formations.enums import Format
from tests.formations.catalogue.browsing import EMPTY_STATE, ERROR_SUMMARY, browse, in_days, titles
from tests.formations.factories import FormationPageFactory, SessionFactory

INVALID_VALUES = [
    ("campus", "abc", "Sélectionnez un choix valide"),
    ("campus", "999999", "Sélectionnez un choix valide"),
    ("campus", "99999999999999999999999", "Sélectionnez un choix valide"),
    ("campus", "\x00", "Le caractère nul n’est pas autorisé."),
    ("domaine", "abc", "Sélectionnez un choix valide"),
    ("niveau", "12", "Sélectionnez un choix valide"),
    ("prerequis", "bac+12", "Sélectionnez un choix valide"),
    ("format", "xyz", "Sélectionnez un choix valide"),
    ("rythme", "nuit", "Sélectionnez un choix valide"),
    ("metier", "ZZZZ", "Sélectionnez un choix valide"),
    ("metier", "\x00", "Le caractère nul n’est pas autorisé."),
    ("tri", "hack", "Sélectionnez un choix valide"),
    ("debut_min", "2025-13-45", "Saisissez une date valide"),
    ("debut_max", "demain", "Saisissez une date valide"),
    ("duree_min", "abc", "Saisissez un nombre"),
    ("duree_max", "NaN", "Saisissez un nombre"),
    ("duree_min", "Infinity", "Saisissez un nombre"),
    ("duree_min", "-5", "Une durée ne peut pas être négative."),
    ("q", "x" * 500, "au plus 100 caractères"),
    ("q", "web\x00", "Le caractère nul n’est pas autorisé."),
]


@pytest.fixture
def remote_and_on_site(campus):
    remote = FormationPageFactory(parent=campus, title="À distance", format=Format.REMOTE, session_price=0)
    SessionFactory(formation=remote)
    on_site = FormationPageFactory(parent=campus, title="Sur place", format=Format.ON_SITE, paid=True)
    SessionFactory(formation=on_site)


@pytest.mark.parametrize(("name", "value", "message"), INVALID_VALUES)
def test_an_invalid_filter_is_explained_and_the_others_still_apply(client, remote_and_on_site, name, value, message):
    other_filter = {"gratuit": "on"} if name == "format" else {"format": Format.REMOTE}

    response = browse(client, {name: value, **other_filter})

    content = html.unescape(response.content.decode())
    assert ERROR_SUMMARY in content
    assert message in content
    assert 'aria-invalid="true"' in content
    assert titles(response) == ["À distance"]


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        ({"debut_min": 60}, {"debut_max": 30}, "La première date doit venir avant la seconde."),
        ({"duree_min": "500"}, {"duree_max": "100"}, "La durée minimale doit être plus petite que la durée maximale."),
    ],
    ids=["dates", "durations"],
)
def test_bounds_the_wrong_way_round_are_explained_and_ignored(client, remote_and_on_site, low, high, message):
    params = {
        name: in_days(value).isoformat() if isinstance(value, int) else value
        for name, value in {**low, **high, "format": Format.REMOTE}.items()
    }

    response = browse(client, params)

    content = response.content.decode()
    assert ERROR_SUMMARY in content
    assert message in content
    assert titles(response) == ["À distance"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("q", "' OR 1=1 --"),
        ("q", "web'; DROP TABLE formations_session; --"),
        ("q", '<script>alert("q")</script>'),
        ("q", "%"),
        ("q", "_"),
        ("q", "   "),
        ("duree_max", "99999999999999999999"),
        ("duree_min", "1e309"),
        ("debut_min", "0001-01-01"),
        ("debut_max", "9999-12-31"),
        ("gratuit", "abc"),
        ("places", "\x00"),
        ("page", "abc"),
        ("inconnu", "1"),
    ],
)
def test_odd_values_never_break_the_page(client, remote_and_on_site, name, value):
    response = browse(client, {name: value})

    content = response.content.decode()
    assert "<script>" not in content
    assert set(titles(response)) <= {"À distance", "Sur place"}


def test_search_text_is_escaped_in_the_form(client, remote_and_on_site):
    content = browse(client, {"q": '"><script>alert(1)</script>'}).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_sql_in_the_search_is_just_text(client, remote_and_on_site):
    response = browse(client, {"q": "' OR 1=1 --"})

    assert titles(response) == []
    assert EMPTY_STATE in response.content.decode()


def test_every_parameter_wrong_at_once_still_answers(client, remote_and_on_site):
    garbage = {name: value for name, value, _message in INVALID_VALUES}
    garbage.update(page="abc", gratuit="abc", places="abc")

    response = browse(client, garbage)

    assert ERROR_SUMMARY in response.content.decode()
