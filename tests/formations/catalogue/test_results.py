"""The public catalogue at /formations/, its results: what is listed and shown, their order, and their pages."""

import datetime
import html
import re
from urllib.parse import parse_qs

import pytest
from wagtail.models import PageViewRestriction

from formations.enums import Format
from tests.formations.catalogue.browsing import EMPTY_STATE, ERROR_SUMMARY, browse, in_days, result_count, titles
from tests.formations.factories import FormationPageFactory, SessionFactory


def link(response, rel):
    found = re.search(rf'<a rel="{rel}" href="\?([^"]*)"', response.content.decode())
    return found and parse_qs(html.unescape(found.group(1)))


# --- What the catalogue shows -------------------------------------------------------------------


def test_only_live_public_formations_are_listed(client, campus):
    FormationPageFactory(parent=campus, title="Publiée")
    FormationPageFactory(parent=campus, title="Brouillon", draft=True)
    private = FormationPageFactory(parent=campus, title="Réservée aux équipes")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    response = browse(client)

    assert titles(response) == ["Publiée"]
    assert "Brouillon" not in response.content.decode()


def test_the_list_built_once_a_day_still_reads_each_change(client, campus):
    """The catalogue's query is built once a day and copied (FormationPage.catalogue_formations): pages made
    private, unpublished or added since are seen at the next request."""
    first = FormationPageFactory(parent=campus, title="Première")
    second = FormationPageFactory(parent=campus, title="Deuxième")
    assert sorted(titles(browse(client))) == ["Deuxième", "Première"]

    PageViewRestriction.objects.create(page=first, restriction_type=PageViewRestriction.LOGIN)
    second.unpublish()
    FormationPageFactory(parent=campus, title="Troisième")

    assert titles(browse(client)) == ["Troisième"]


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 formation trouvée"), (3, "3 formations trouvées")],
)
def test_the_page_says_how_many_formations_match(client, campus, count, text):
    for _ in range(count):
        FormationPageFactory(parent=campus, session_price=0)
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
    formation = FormationPageFactory(parent=campus, title="Développeur web")
    SessionFactory(
        formation=formation,
        start_date=datetime.date(2099, 3, 2),
        application_deadline=in_days(30),
        price_cents=129000,
    )

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
