"""The catalogue's keywords: Wagtail's search index, where accents and case do not matter, with every other filter.

Young people type without accents: "developpeur" must find "Développeur web" on SQLite and on PostgreSQL alike.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campus.models import CampusPage
from formations.enums import Format
from formations.models import FormationPage
from tests.campus.factories import CampusPageFactory
from tests.formations.catalogue.browsing import browse, in_days, titles
from tests.formations.factories import (
    CertificationFactory,
    DomainFactory,
    FormationPageFactory,
    RomeCodeFactory,
    SessionFactory,
)


@pytest.fixture
def campus(home_page):
    return CampusPageFactory(title="Campus de la Plaine", commune="Saint-Denis")


@pytest.fixture
def catalogue(campus):
    """Three formations whose words carry accents, and one that none of the searches below should find."""
    return {
        "web": FormationPageFactory(
            parent=campus, title="Développeur web et web mobile", summary="Créer des sites et des applications."
        ),
        "cyber": FormationPageFactory(
            parent=campus,
            title="Analyste en cybersécurité",
            summary="Protéger les réseaux des entreprises.",
            target_jobs=[RomeCodeFactory(code="M1844", label="Analyste en sécurité des systèmes d'information")],
        ),
        "digital": FormationPageFactory(
            parent=campus,
            title="Médiateur numérique",
            summary="Accompagner les habitants dans leurs démarches en ligne.",
            certification=CertificationFactory(code="RNCP34820", title="Responsable d'espace de médiation numérique"),
        ),
        "other": FormationPageFactory(
            parent=CampusPageFactory(title="Campus de Bondy", commune="Bondy"),
            title="Cuisinier en restauration collective",
            summary="Préparer des repas pour les cantines.",
        ),
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("développeur", ["web"]),
        ("developpeur", ["web"]),
        ("DEVELOPPEUR", ["web"]),
        ("cybersecurite", ["cyber"]),
        ("Cybersécurité", ["cyber"]),
        ("NUMERIQUE", ["digital"]),
        ("numerique mediateur", ["digital"]),
        ("reseaux", ["cyber"]),  # the summary
        ("systemes d'information", ["cyber"]),  # a job the formation leads to (ROME label)
        ("M1844", ["cyber"]),  # its ROME code
        ("mediation", ["digital"]),  # the certification's title
        ("RNCP34820", ["digital"]),  # its code
        ("cyber", ["cyber"]),  # the beginning of a word
        ("analyste cyber", ["cyber"]),
        ("dévelop", ["web"]),
        ("saint-denis", ["web", "cyber", "digital"]),  # the campus's commune
        ("plaine", ["web", "cyber", "digital"]),  # the campus's name
        ("bondy", ["other"]),
        ("developpeur cuisinier", []),  # every word must match
        ("plombier", []),
    ],
)
def test_keywords_ignore_accents_and_case(client, catalogue, typed, expected):
    found = titles(browse(client, {"q": typed, "tri": "titre"}))

    assert found == sorted(catalogue[key].title for key in expected)


def test_the_search_finds_what_the_index_holds_on_both_databases(catalogue):
    found = FormationPage.objects.for_catalogue().matching("developpeur")

    assert [formation.title for formation in found] == ["Développeur web et web mobile"]
    assert found[0].relevance > 0


@pytest.mark.postgres
def test_on_postgresql_a_word_finds_its_other_forms(client, campus):
    FormationPageFactory(parent=campus, title="Développement web", summary="Des sites accessibles.")

    assert titles(browse(client, {"q": "developpements"})) == ["Développement web"]
    assert titles(browse(client, {"q": "sites accessible"})) == ["Développement web"]


@pytest.mark.postgres
def test_on_postgresql_the_search_configurations_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE '%%_unaccent' ORDER BY cfgname")
        assert [row[0] for row in cursor.fetchall()] == ["french_unaccent", "simple_unaccent"]
        cursor.execute(
            "SELECT to_tsvector('french_unaccent', 'Cybersécurité'), to_tsvector('simple_unaccent', 'Bénaïssa')"
        )
        assert cursor.fetchone() == ("'cybersecurit':1", "'benaissa':1")


def test_keywords_go_with_every_other_filter(client, campus, catalogue):
    remote = FormationPageFactory(parent=campus, title="Développeuse d'applications", format=Format.REMOTE)
    FormationPageFactory(parent=campus, title="Développeur Python", format=Format.REMOTE, draft=True)

    assert titles(browse(client, {"q": "developp", "format": Format.REMOTE})) == [remote.title]
    assert titles(browse(client, {"q": "developp", "format": Format.ON_SITE})) == [catalogue["web"].title]


def test_keywords_keep_the_chosen_sort(client, campus):
    soon = FormationPageFactory(parent=campus, title="Z Réseaux informatiques", duration_hours=300)
    later = FormationPageFactory(parent=campus, title="A Réseaux et télécoms", duration_hours=100)
    SessionFactory(formation=soon, start_date=in_days(5))
    SessionFactory(formation=later, start_date=in_days(50))

    assert titles(browse(client, {"q": "reseaux", "tri": "date"})) == [soon.title, later.title]
    assert titles(browse(client, {"q": "reseaux", "tri": "titre"})) == [later.title, soon.title]
    assert titles(browse(client, {"q": "reseaux", "tri": "duree"})) == [later.title, soon.title]


def test_with_keywords_the_best_match_comes_first(client, campus):
    mentioned = FormationPageFactory(
        parent=campus, title="A Assistant de direction", summary="Avec un module sur la comptabilité."
    )
    named = FormationPageFactory(parent=campus, title="Z Comptabilité et gestion", summary="Tenir la comptabilité.")

    assert titles(browse(client, {"q": "comptabilite"})) == [named.title, mentioned.title]
    # Without keywords, relevance means nothing: the usual order by date, then title.
    assert titles(browse(client, {"tri": "pertinence"})) == [mentioned.title, named.title]


def test_keywords_pass_pages_along(client, settings, campus):
    settings.CATALOGUE_PAGE_SIZE = 2
    for number in range(5):
        FormationPageFactory(parent=campus, title=f"Électricien {number}")

    first, last = (
        browse(client, {"q": "electricien", "tri": "titre"}),
        browse(client, {"q": "electricien", "tri": "titre", "page": 3}),
    )

    assert titles(first) == ["Électricien 0", "Électricien 1"]
    assert titles(last) == ["Électricien 4"]
    assert first.context["result_count"] == 5


def test_the_index_follows_published_changes(client, campus):
    formation = FormationPageFactory(parent=campus, title="Plaquiste")
    assert titles(browse(client, {"q": "platrier"})) == []

    formation.title = "Plâtrier plaquiste"
    formation.save_revision().publish()

    assert titles(browse(client, {"q": "platrier"})) == ["Plâtrier plaquiste"]


def test_a_campus_renamed_takes_its_formations_along(client, campus, catalogue):
    campus.title = "Campus Pleyel"
    campus.commune = "Saint-Ouen"
    campus.save_revision().publish()

    assert len(titles(browse(client, {"q": "saint-ouen pleyel"}))) == 3
    assert titles(browse(client, {"q": "plaine"})) == []


def test_odd_typing_finds_nothing_and_breaks_nothing(client, catalogue):
    for typed in ['"developpeur', "cyber*", "web:*", "a & b | !c", "(", "«»", "NEAR(web)", "-"]:
        response = browse(client, {"q": typed})
        assert response.status_code == 200
    assert titles(browse(client, {"q": '"developpeur"'})) == [catalogue["web"].title]


def add_formations(campus, count):
    domain, certification = DomainFactory(), CertificationFactory(title="Développeur web")
    for number in range(count):
        formation = FormationPageFactory(
            parent=campus, title=f"Développeur {number}", domain=domain, certification=certification
        )
        SessionFactory(formation=formation, start_date=in_days(10 + number))


@pytest.mark.parametrize("params", [{"q": "developpeur"}, {"q": "dévelop", "places": "on", "tri": "duree"}])
def test_keywords_need_as_many_queries_for_30_formations_as_for_3(client, settings, campus, params):
    settings.CATALOGUE_PAGE_SIZE = 50
    add_formations(campus, 3)
    browse(client, params)  # Warm the site and content type caches.

    with CaptureQueriesContext(connection) as three:
        assert len(titles(browse(client, params))) == 3
    add_formations(campus, 27)
    with CaptureQueriesContext(connection) as thirty:
        assert len(titles(browse(client, params))) == 30

    assert len(thirty) == len(three)


def test_the_sort_menu_says_relevance_only_when_keywords_are_given(client, catalogue):
    searching = browse(client, {"q": "developpeur"}).content.decode()
    browsing = browse(client).content.decode()

    assert '<option value="pertinence" selected>' in searching
    # Without a choice the browser shows the first option, the date, which is the order used.
    assert "selected" not in browsing.split('name="tri"')[1].split("</select>")[0]
    assert browsing.index('<option value="date"') < browsing.index('<option value="pertinence"')


def test_the_demo_leaves_the_index_filled(client):
    call_command("seed_demo", no_users=True, verbosity=0)

    assert "Développeur web et web mobile" in titles(browse(client, {"q": "developpeur"}))
    assert titles(browse(client, {"q": "aubervilliers"}))


def test_campuses_are_indexed_too(home_page):
    epinay = CampusPageFactory(title="Campus Orgemont", commune="Épinay-sur-Seine")
    CampusPageFactory(title="Campus Pleyel", commune="Saint-Denis")

    assert list(CampusPage.objects.search("epinay")) == [epinay]
    assert list(CampusPage.objects.search("ORGEMONT")) == [epinay]
