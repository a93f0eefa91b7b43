"""The staff's search box on the list of applications: accents and capitals do not matter, on both databases.

"Ines" finds Inès Benaïssa, "benaissa" too; staff still see their campus only, and an erased learner is found
no more.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from home.text_search import unaccent
from inscriptions.services import erase_learner
from tests.campus.factories import UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory

INDEX = "inscriptions_admin:index"


@pytest.fixture
def session_a():
    return SessionFactory(formation__title="Développeur web et web mobile")


@pytest.fixture
def staff_a(client, session_a):
    user = UserFactory(staff_of=session_a.campus)
    client.force_login(user)
    return user


@pytest.fixture
def ines(session_a):
    return ApplicationFactory(
        session=session_a,
        learner__first_name="Inès",
        learner__last_name="Benaïssa",
        learner__user__email="ines.b@exemple.fr",
    )


@pytest.fixture
def karim(session_a):
    other_session = SessionFactory(formation=FormationPageFactory(parent=session_a.campus, title="Data analyst"))
    return ApplicationFactory(session=other_session, learner__first_name="Karim", learner__last_name="Lefèvre")


def search(client, text):
    response = client.get(reverse(INDEX), {"q": text})
    assert response.status_code == 200
    return list(response.context["object_list"])


@pytest.mark.parametrize(
    "typed",
    [
        "Ines",
        "ines",
        "INES",
        "Inès",
        "benaissa",
        "Benaïssa",
        "BENAÏSSA",
        "ines benaissa",
        "Benaissa Ines",
        "naïs",  # the middle of a name
        "ines.b@",  # the account's e-mail
        "developpeur",  # the formation's title
        "DÉVELOPPEUR WEB",
    ],
)
def test_accents_and_capitals_do_not_matter(client, staff_a, ines, karim, typed):
    assert search(client, typed) == [ines]


def test_an_accent_typed_finds_the_name_written_without(client, staff_a, karim):
    assert search(client, "lefevre") == [karim]
    assert search(client, "Lèfévré") == [karim]


def test_every_word_must_match(client, staff_a, ines, karim):
    assert search(client, "ines lefevre") == []
    assert search(client, "data") == [karim]


def test_staff_still_see_only_their_campus(client, staff_a, ines):
    namesake = ApplicationFactory(learner__first_name="Inès", learner__last_name="Benaïssa")
    assert namesake.campus != ines.campus

    assert search(client, "benaissa") == [ines]


def test_an_erased_learner_is_found_no_more(client, staff_a, ines):
    erase_learner(ines.learner)

    assert search(client, "benaissa") == []
    assert search(client, "ines") == []
    assert search(client, "ines.b") == []


def test_like_wildcards_are_plain_characters(client, staff_a, ines):
    assert search(client, "%") == []
    assert search(client, "_") == []


def test_the_searched_list_needs_as_many_queries_for_30_applications_as_for_3(client, staff_a, session_a):
    def count():
        with CaptureQueriesContext(connection) as queries:
            shown = search(client, "benaissa")
        return len(queries), len(shown)

    for _ in range(3):
        ApplicationFactory(session=session_a, learner__last_name="Benaïssa")
    few, shown = count()
    assert shown == 3
    for _ in range(27):
        ApplicationFactory(session=session_a, learner__last_name="Benaïssa")
    many, shown = count()

    assert shown == 30
    assert many == few


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Inès Benaïssa", "Ines Benaissa"), ("LEFÈVRE", "LEFEVRE"), ("Cœur", "Coeur"), ("Ça", "Ca"), ("", "")],
)
def test_the_python_unaccent_folds_as_postgresql_does(text, expected):
    assert unaccent(text) == expected
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT unaccent(%s)", [text])
            assert cursor.fetchone()[0] == expected
