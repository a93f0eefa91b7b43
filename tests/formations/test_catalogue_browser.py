"""Journeys through the catalogue in a real Chromium, on a phone-sized screen."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from formations.enums import Format
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import CertificationFactory, FormationPageFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 360, "height": 740}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def catalogue(campus_index):
    aubervilliers = CampusPageFactory(parent=campus_index, title="Campus d'Aubervilliers", commune="Aubervilliers")
    roubaix = CampusPageFactory(parent=campus_index, title="Campus de Roubaix", commune="Roubaix", postcode="59100")
    web = FormationPageFactory(
        parent=aubervilliers,
        title="Développeur web et web mobile",
        certification=CertificationFactory(code="RNCP37674", title="Développeur web et web mobile"),
        session_price=0,
    )
    SessionFactory(formation=web)
    paid_web = FormationPageFactory(parent=roubaix, title="Intégrateur web", session_price=290, format=Format.REMOTE)
    SessionFactory(formation=paid_web)
    cyber = FormationPageFactory(parent=roubaix, title="Technicien cybersécurité", session_price=0)
    SessionFactory(formation=cyber)
    return {"web": web, "paid_web": paid_web, "cyber": cyber}


def test_a_young_person_finds_a_free_web_training_on_a_phone_without_javascript(new_context, live_server, catalogue):
    context = new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/formations/")
    expect(page.get_by_role("heading", name="3 formations trouvées")).to_be_visible()

    page.get_by_label("Mots-clés").fill("web")
    page.get_by_role("button", name="Afficher les formations").click()
    expect(page.get_by_role("heading", name="2 formations trouvées")).to_be_visible()

    page.get_by_text("Plus de filtres").click()
    page.get_by_label("Gratuites seulement").check()
    page.get_by_role("button", name="Afficher les formations").click()
    expect(page.get_by_role("heading", name="1 formation trouvée")).to_be_visible()
    assert "q=web" in page.url and "gratuit=on" in page.url

    # The filtered link can be shared: opening it again gives the same result.
    shared = context.new_page()
    shared.goto(page.url)
    expect(shared.get_by_role("heading", name="1 formation trouvée")).to_be_visible()

    page.get_by_role("link", name="Développeur web et web mobile").click()
    expect(page.get_by_role("heading", level=1, name="Développeur web et web mobile")).to_be_visible()
    expect(page.get_by_role("heading", name="Les prochaines sessions")).to_be_visible()
    structured = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert structured["@type"] == "Course"


def test_a_filter_typed_wrong_gets_an_explanation_not_an_error_page(new_context, live_server, catalogue):
    context = new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    response = page.goto(f"{live_server.url}/formations/?duree_min=500&duree_max=10&q=web")
    assert response.status == 200
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("La durée minimale doit être plus petite").first).to_be_visible()
    expect(page.get_by_role("heading", name="2 formations trouvées")).to_be_visible()


@pytest.mark.parametrize("page_name", ["catalogue", "filtered", "empty", "formation", "campus", "campus_index"])
def test_public_pages_have_no_wcag_aa_violation(new_context, live_server, catalogue, page_name):
    urls = {
        "catalogue": "/formations/",
        "filtered": "/formations/?q=web&gratuit=on&duree_min=abc",
        "empty": "/formations/?q=introuvable",
        "formation": catalogue["web"].url,
        "campus": catalogue["web"].get_parent().url,
        "campus_index": "/campus/",
    }
    # Axe is injected as a script: bypass the site's strict Content Security Policy for the audit only.
    context = new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}{urls[page_name]}")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert violations == []
