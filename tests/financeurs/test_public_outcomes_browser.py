"""The results on a formation page, in Chromium at 320 px, without JavaScript: readable, and axe finds nothing."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from inscriptions.enums import Placement
from inscriptions.models import add_months
from tests.campus.factories import CampusPageFactory
from tests.financeurs.test_public_outcomes import leave
from tests.formations.factories import FormationPageFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SMALLEST_PHONE = {"width": 320, "height": 640}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def formation(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus d'Aubervilliers", commune="Aubervilliers")
    formation = FormationPageFactory(parent=campus, title="Développeur web et web mobile")
    session = SessionFactory(formation=formation)
    left_on = add_months(timezone.localdate(), -8)
    leave(session, left_on, 24, placement=Placement.CDI)
    leave(session, left_on, 7, placement=Placement.JOB_SEEKING)
    leave(session, left_on, 7)
    return formation


def test_the_results_read_on_a_small_phone_without_javascript(new_context, live_server, formation):
    page = new_context(viewport=SMALLEST_PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}{formation.url}")

    section = page.get_by_role("region", name="Ce que deviennent les personnes formées")
    expect(section).to_contain_text(
        "Sur les 38 personnes sorties de cette formation, 24 avaient un emploi ou une formation 6 mois après "
        "(31 ont répondu)."
    )
    expect(section.get_by_role("img", name="Sur 38 personnes : 24 en emploi ou en formation")).to_be_visible()
    expect(section.get_by_text("7 sans réponse", exact=True)).to_be_visible()
    # The section, its bar and its legend fit in the screen at 320 px.
    for part in (section, section.get_by_role("img"), section.get_by_role("list")):
        box = part.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= SMALLEST_PHONE["width"]


def test_the_formation_page_with_its_results_has_no_wcag_aa_violation(new_context, live_server, formation):
    # Axe is injected as a script: bypass the site's strict Content Security Policy for the audit only.
    page = new_context(viewport=SMALLEST_PHONE, bypass_csp=True).new_page()
    page.goto(f"{live_server.url}{formation.url}")
    expect(page.get_by_role("img", name="Sur 38 personnes", exact=False)).to_be_visible()

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})

    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert violations == []
