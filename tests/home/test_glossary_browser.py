"""The glossary in a real Chromium, on a phone-sized screen: reached from a code, readable, accessible."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from formations.enums import CertificationLevel, Format
from tests.campus.factories import CampusPageFactory, QpvFactory
from tests.formations.factories import CertificationFactory, FormationPageFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 360, "height": 740}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def formation(campus_index):
    campus = CampusPageFactory(
        parent=campus_index, title="Campus d’Aubervilliers", qpv=QpvFactory(name="Landy - Pressensé - Plaine")
    )
    formation = FormationPageFactory(
        parent=campus,
        title="Développeur web et web mobile",
        format=Format.HYBRID,
        certification=CertificationFactory(
            code="RNCP37674", title="Développeur web et web mobile", level=CertificationLevel.LEVEL_5
        ),
    )
    SessionFactory(formation=formation)
    return formation


def test_a_young_person_follows_a_code_to_its_explanation_without_javascript(new_context, live_server, formation):
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}{formation.url}")

    page.get_by_role("link", name="Répertoire national des certifications professionnelles").click()

    assert page.url.endswith("/glossaire/#rncp")
    entry = page.locator("#rncp")
    expect(entry).to_be_in_viewport()
    expect(entry).to_contain_text("RNCP")
    expect(page.locator("#rncp + dd")).to_contain_text("reconnus par l’État")


@pytest.mark.parametrize("page_name", ["glossary", "formation", "campus"])
def test_the_glossary_and_the_pages_that_point_to_it_have_no_wcag_aa_violation(
    new_context, live_server, formation, page_name
):
    urls = {"glossary": "/glossaire/", "formation": formation.url, "campus": formation.get_parent().url}
    # Axe is injected as a script: bypass the site's strict Content Security Policy for the audit only.
    page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    page.goto(f"{live_server.url}{urls[page_name]}")

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})

    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert violations == []


def test_the_explained_key_facts_fit_a_phone_screen(new_context, live_server, formation):
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"{live_server.url}{formation.url}")

    # The longer words (« Où se passe la formation ? », the register's name) wrap: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.get_by_text("Où se passe la formation\u00a0?")).to_be_in_viewport()
