"""The public catalogue at /formations/: filters, sorting, pagination, and no server error whatever the query."""

import datetime
import html
import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from formations.enums import CertificationLevel, EntryLevel, Format, Schedule
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import (
    CertificationFactory,
    DomainFactory,
    FormationPageFactory,
    RomeCodeFactory,
    SessionFactory,
)

ERROR_SUMMARY = "Certains filtres n’ont pas été compris"
EMPTY_STATE = "Aucune formation ne correspond à tous ces critères."


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def browse(client, params=None):
    response = client.get(reverse("formations:catalogue"), params or {})
    assert response.status_code == 200
    return response


def titles(response):
    return [formation.title for formation in response.context["page_obj"].object_list]


def result_count(response):
    heading = re.search(r'<h2 id="resultats"[^>]*>(.*?)</h2>', response.content.decode(), re.DOTALL).group(1)
    return " ".join(heading.split())


def link(response, rel):
    found = re.search(rf'<a rel="{rel}" href="\?([^"]*)"', response.content.decode())
    return found and parse_qs(html.unescape(found.group(1)))


@pytest.fixture
def campus(home_page):
    return CampusPageFactory(title="Campus numérique d'Aubervilliers")


# --- Each filter alone --------------------------------------------------------------------------
# Each builder creates a formation the filter keeps and one it leaves out, and returns the query.


def by_keyword(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité")
    FormationPageFactory(parent=campus, title="Développeur web")
    return {"q": "CYBER"}


def by_campus(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité")
    FormationPageFactory(parent=CampusPageFactory(), title="Développeur web")
    return {"campus": campus.pk}


def by_domain(campus):
    domain = DomainFactory(label="Sécurité informatique")
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", domain=domain)
    FormationPageFactory(parent=campus, title="Développeur web", domain=DomainFactory(label="Développement"))
    return {"domaine": domain.pk}


def by_level(campus):
    FormationPageFactory(
        parent=campus,
        title="Analyste en cybersécurité",
        certification=CertificationFactory(level=CertificationLevel.LEVEL_6),
    )
    FormationPageFactory(
        parent=campus, title="Développeur web", certification=CertificationFactory(level=CertificationLevel.LEVEL_5)
    )
    return {"niveau": "6"}


def by_entry_level(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", entry_level=EntryLevel.LEVEL_4)
    FormationPageFactory(parent=campus, title="Développeur web", entry_level=EntryLevel.NONE)
    return {"prerequis": EntryLevel.LEVEL_4}


def by_format(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", format=Format.REMOTE)
    FormationPageFactory(parent=campus, title="Développeur web", format=Format.ON_SITE)
    return {"format": Format.REMOTE}


def by_schedule(campus):
    SessionFactory(
        formation=FormationPageFactory(parent=campus, title="Analyste en cybersécurité"), schedule=Schedule.PART_TIME
    )
    missed = FormationPageFactory(parent=campus, title="Développeur web")
    SessionFactory(formation=missed, schedule=Schedule.FULL_TIME)
    SessionFactory(formation=missed, schedule=Schedule.PART_TIME, past=True)
    return {"rythme": Schedule.PART_TIME}


def by_price(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", price=0)
    FormationPageFactory(parent=campus, title="Développeur web", paid=True)
    return {"gratuit": "on"}


def by_open_seats(campus):
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Analyste en cybersécurité"))
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Développeur web"), full=True)
    return {"places": "on"}


def by_earliest_start(campus):
    kept = FormationPageFactory(parent=campus, title="Analyste en cybersécurité")
    SessionFactory(formation=kept, start_date=in_days(60))
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Développeur web"), start_date=in_days(10))
    return {"debut_min": in_days(40).isoformat()}


def by_latest_start(campus):
    kept = FormationPageFactory(parent=campus, title="Analyste en cybersécurité")
    SessionFactory(formation=kept, start_date=in_days(10))
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Développeur web"), start_date=in_days(60))
    FormationPageFactory(parent=campus, title="Technicien réseau")
    return {"debut_max": in_days(40).isoformat()}


def by_shortest_duration(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", duration_hours=400)
    FormationPageFactory(parent=campus, title="Développeur web", duration_hours=200)
    return {"duree_min": "300"}


def by_longest_duration(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", duration_hours=200)
    FormationPageFactory(parent=campus, title="Développeur web", duration_hours=400)
    return {"duree_max": "300"}


def by_job(campus):
    FormationPageFactory(
        parent=campus, title="Analyste en cybersécurité", target_jobs=[RomeCodeFactory(code="M1844", label="Analyste")]
    )
    FormationPageFactory(
        parent=campus, title="Développeur web", target_jobs=[RomeCodeFactory(code="M1855", label="Développeur")]
    )
    return {"metier": "M1844"}


@pytest.mark.parametrize(
    "build",
    [
        by_keyword,
        by_campus,
        by_domain,
        by_level,
        by_entry_level,
        by_format,
        by_schedule,
        by_price,
        by_open_seats,
        by_earliest_start,
        by_latest_start,
        by_shortest_duration,
        by_longest_duration,
        by_job,
    ],
    ids=lambda build: build.__name__,
)
def test_each_filter_keeps_the_matching_formation_only(client, campus, build):
    params = build(campus)

    response = browse(client, params)

    assert titles(response) == ["Analyste en cybersécurité"]
    assert ERROR_SUMMARY not in response.content.decode()


@pytest.mark.parametrize(
    "holding_the_word",
    [
        lambda: {"title": "Analyste en cybersécurité"},
        lambda: {"summary": "Protéger les réseaux contre les cyberattaques."},
        lambda: {"certification": CertificationFactory(title="Cybersécurité des systèmes")},
        lambda: {"domain": DomainFactory(label="Cybersécurité")},
        lambda: {"target_jobs": [RomeCodeFactory(label="Expert en cybersécurité")]},
    ],
    ids=["title", "summary", "certification", "domain", "job"],
)
def test_keywords_search_title_summary_certification_domain_and_jobs(client, campus, holding_the_word):
    found = FormationPageFactory(parent=campus, **holding_the_word())
    FormationPageFactory(parent=campus, title="Développeur web", certification=CertificationFactory())

    assert titles(browse(client, {"q": "cyber"})) == [found.title]


def test_every_keyword_must_match(client, campus):
    FormationPageFactory(parent=campus, title="Développeur web", summary="Créer des sites accessibles.")
    FormationPageFactory(parent=campus, title="Développeur d'applications mobiles")

    assert titles(browse(client, {"q": "  développeur   sites "})) == ["Développeur web"]


def test_several_filters_combine(client, campus):
    def formation_with_a_session(title, full=False, **changes):
        fields = {"parent": campus, "format": Format.REMOTE, "price": 0, "duration_hours": 200, **changes}
        SessionFactory(formation=FormationPageFactory(title=title, **fields), full=full)

    formation_with_a_session("Développeur web")
    formation_with_a_session("Développeur web payant", price=900)
    formation_with_a_session("Développeur web sur place", format=Format.ON_SITE)
    formation_with_a_session("Développeur web long", duration_hours=900)
    formation_with_a_session("Développeur web ailleurs", parent=CampusPageFactory())
    formation_with_a_session("Développeur web complet", full=True)
    formation_with_a_session("Analyste")
    filters = {"format": Format.REMOTE, "gratuit": "on", "duree_max": "300", "places": "on"}

    response = browse(client, {"q": "web", "campus": campus.pk, **filters})

    assert titles(response) == ["Développeur web"]
    assert "Plus de filtres (5 actifs)" in response.content.decode()


def test_start_date_bounds_apply_to_one_and_the_same_session(client, campus):
    around = FormationPageFactory(parent=campus, title="Une session avant, une après")
    SessionFactory(formation=around, start_date=in_days(10))
    SessionFactory(formation=around, start_date=in_days(100))
    middle = FormationPageFactory(parent=campus, title="Une session au milieu")
    SessionFactory(formation=middle, start_date=in_days(50))

    response = browse(client, {"debut_min": in_days(40).isoformat(), "debut_max": in_days(60).isoformat()})

    assert titles(response) == ["Une session au milieu"]


def test_start_date_filter_ignores_past_sessions(client, campus):
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Session passée"), past=True)

    assert titles(browse(client, {"debut_max": in_days(40).isoformat()})) == []


@pytest.mark.parametrize("situation", ["closed", "full", "deadline_passed"])
def test_open_seats_filter_leaves_out_sessions_that_take_no_application(client, campus, situation):
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Fermée"), **{situation: True})
    open_one = FormationPageFactory(parent=campus, title="Ouverte")
    SessionFactory(formation=open_one, **{situation: True})
    SessionFactory(formation=open_one, start_date=in_days(90))
    FormationPageFactory(parent=campus, title="Sans session")

    assert titles(browse(client, {"places": "on"})) == ["Ouverte"]


def test_unchecked_boxes_filter_nothing(client, campus):
    FormationPageFactory(parent=campus, title="Payante", paid=True)

    assert titles(browse(client, {"gratuit": "false", "places": "false"})) == ["Payante"]


# --- What the catalogue shows -------------------------------------------------------------------


def test_only_live_public_formations_are_listed(client, campus):
    FormationPageFactory(parent=campus, title="Publiée")
    FormationPageFactory(parent=campus, title="Brouillon", draft=True)
    private = FormationPageFactory(parent=campus, title="Réservée aux équipes")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    response = browse(client)

    assert titles(response) == ["Publiée"]
    assert "Brouillon" not in response.content.decode()


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 formation trouvée"), (3, "3 formations trouvées")],
)
def test_the_page_says_how_many_formations_match(client, campus, count, text):
    for _ in range(count):
        FormationPageFactory(parent=campus, price=0)
    FormationPageFactory(parent=campus, paid=True)

    assert result_count(browse(client, {"gratuit": "on"})) == text


def test_the_empty_state_suggests_what_to_try(client, campus):
    FormationPageFactory(parent=campus, title="Développeur web")

    response = browse(client, {"q": "boulangerie"})
    content = response.content.decode()

    assert result_count(response) == "Aucune formation trouvée"
    assert EMPTY_STATE in content
    assert "de retirer un ou deux filtres ;" in content


def test_the_card_shows_the_campus_next_session_and_open_applications(client, campus):
    formation = FormationPageFactory(parent=campus, title="Développeur web", paid=True)
    SessionFactory(formation=formation, start_date=datetime.date(2099, 3, 2), application_deadline=in_days(30))

    content = browse(client).content.decode()

    assert "Campus numérique d&#x27;Aubervilliers · Aubervilliers" in content
    assert "Prochaine session : 2 mars 2099" in content
    assert "Candidatures ouvertes" in content
    assert "1290 €" in content


# --- Sorting ------------------------------------------------------------------------------------


@pytest.fixture
def four_formations(campus):
    soon = FormationPageFactory(parent=campus, title="Cybersécurité", duration_hours=300)
    SessionFactory(formation=soon, start_date=in_days(10))
    SessionFactory(formation=soon, start_date=in_days(200))
    later = FormationPageFactory(parent=campus, title="Administrateur", duration_hours=100)
    SessionFactory(formation=later, start_date=in_days(40))
    FormationPageFactory(parent=campus, title="Bureautique", duration_hours=200)
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Data", duration_hours=500), past=True)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, ["Cybersécurité", "Administrateur", "Bureautique", "Data"]),
        ("date", ["Cybersécurité", "Administrateur", "Bureautique", "Data"]),
        ("duree", ["Administrateur", "Bureautique", "Cybersécurité", "Data"]),
        ("titre", ["Administrateur", "Bureautique", "Cybersécurité", "Data"]),
    ],
)
def test_sorting(client, four_formations, sort, expected):
    assert titles(browse(client, {"tri": sort} if sort else {})) == expected


def test_formations_without_upcoming_session_sort_last_by_date(client, campus):
    FormationPageFactory(parent=campus, title="A sans session")
    SessionFactory(formation=FormationPageFactory(parent=campus, title="B session passée"), past=True)
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Z bientôt"), start_date=in_days(5))

    assert titles(browse(client, {"tri": "date"})) == ["Z bientôt", "A sans session", "B session passée"]


def test_an_unknown_sort_falls_back_to_the_date(client, four_formations):
    response = browse(client, {"tri": "hack"})

    assert titles(response) == ["Cybersécurité", "Administrateur", "Bureautique", "Data"]
    assert ERROR_SUMMARY in response.content.decode()


# --- Pagination ---------------------------------------------------------------------------------


def test_pagination_keeps_the_filters_in_its_links(client, settings, campus):
    settings.CATALOGUE_PAGE_SIZE = 2
    for number in range(5):
        FormationPageFactory(parent=campus, title=f"Formation web {number}", format=Format.REMOTE)
    FormationPageFactory(parent=campus, title="Formation web sur place", format=Format.ON_SITE)
    filters = {"q": "web", "format": Format.REMOTE, "tri": "titre"}

    first = browse(client, filters)
    assert titles(first) == ["Formation web 0", "Formation web 1"]
    assert result_count(first) == "5 formations trouvées"
    assert "Page 1 sur 3" in first.content.decode()
    assert link(first, "prev") is None
    next_query = link(first, "next")
    assert next_query == {"q": ["web"], "format": [Format.REMOTE], "tri": ["titre"], "page": ["2"]}

    second = browse(client, {key: values[0] for key, values in next_query.items()})
    assert titles(second) == ["Formation web 2", "Formation web 3"]
    assert link(second, "prev") == {**next_query, "page": ["1"]}

    last = browse(client, {**filters, "page": "3"})
    assert titles(last) == ["Formation web 4"]
    assert link(last, "next") is None


def test_a_single_page_shows_no_pagination(client, settings, campus):
    settings.CATALOGUE_PAGE_SIZE = 2
    FormationPageFactory(parent=campus)

    assert "Pages de résultats" not in browse(client).content.decode()


@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("0", 3), ("-1", 3), ("99999", 3), ("2.5", 1), ("", 1)])
def test_an_impossible_page_number_shows_a_real_page(client, settings, campus, page, shown):
    settings.CATALOGUE_PAGE_SIZE = 2
    for _ in range(5):
        FormationPageFactory(parent=campus)

    response = browse(client, {"page": page})

    assert response.context["page_obj"].number == shown


# --- Bad values ---------------------------------------------------------------------------------

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
    remote = FormationPageFactory(parent=campus, title="À distance", format=Format.REMOTE, price=0)
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


# --- Queries ------------------------------------------------------------------------------------


def add_formations(campuses, count):
    domain, certification, job = DomainFactory(), CertificationFactory(), RomeCodeFactory(code="M1844")
    for number in range(count):
        formation = FormationPageFactory(
            parent=campuses[number % len(campuses)], domain=domain, certification=certification, target_jobs=[job]
        )
        SessionFactory(formation=formation, start_date=in_days(10 + number))


@pytest.mark.parametrize("params", [{}, {"q": "formation", "places": "on", "tri": "duree", "metier": "M1844"}])
def test_the_catalogue_needs_as_many_queries_for_30_formations_as_for_3(client, settings, home_page, params):
    settings.CATALOGUE_PAGE_SIZE = 50
    campuses = [CampusPageFactory() for _ in range(3)]
    add_formations(campuses, 3)
    browse(client, params)  # Warm the site and content type caches.

    with CaptureQueriesContext(connection) as three:
        response = browse(client, params)
    assert len(titles(response)) == 3
    assert ERROR_SUMMARY not in response.content.decode()
    add_formations(campuses, 27)
    with CaptureQueriesContext(connection) as thirty:
        response = browse(client, params)
    assert len(titles(response)) == 30

    assert len(thirty) == len(three)
