"""On a 320-px phone, the filters fill the first screens: once they are applied, focus and view go to the results,
with or without JavaScript, and a filter typed wrong sends focus to the explanation instead."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.campus.factories import CampusPageFactory
from tests.formations.factories import FormationPageFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARROW_PHONE = {"width": 320, "height": 640}
MAX_TABS = 80
# Its first line on screen: an explanation may be taller than a phone's screen.
IN_VIEWPORT = """(element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.top + 40 <= window.innerHeight;
}"""


@pytest.fixture
def catalogue(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus de Roubaix", commune="Roubaix", postcode="59100")
    for title in ["Développeur web", "Technicien cybersécurité", "Intégrateur web", "Data analyste"]:
        SessionFactory(formation=FormationPageFactory(parent=campus, title=title), price_cents=0)


def tabs_to_first_result(page):
    """How many presses of Tab, from where focus is when the page arrives, reach the first result's link."""
    first_result = page.locator(".cards a").first
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if first_result.evaluate("(link) => link === document.activeElement"):
            return presses
    return None


@pytest.mark.parametrize("javascript", [False, True], ids=["sans JavaScript", "avec JavaScript"])
def test_after_filtering_focus_and_view_go_to_the_results(new_context, live_server, catalogue, javascript):
    page = new_context(viewport=NARROW_PHONE, java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}{reverse('formations:catalogue')}")
    page.get_by_text("Plus de filtres").click()
    page.get_by_label("Gratuites seulement").check()
    page.get_by_role("button", name="Afficher les formations").click()
    page.wait_for_url("**gratuit=on**")

    results = page.get_by_role("heading", name="4 formations trouvées")
    expect(results).to_be_focused()
    assert results.evaluate(IN_VIEWPORT)
    tabs = tabs_to_first_result(page)
    print(f"Tab jusqu’au premier résultat après filtrage : {tabs}")  # noqa: T201 (the figure, for the record)
    assert tabs == 1
    # The filters stay at hand, folded, and say how many are on.
    expect(page.get_by_text("Plus de filtres (1 actif)")).to_be_visible()
    expect(page.get_by_label("Gratuites seulement")).to_be_hidden()
    # Whoever starts again from the top of the page gets to the results in one link.
    page.get_by_role("link", name="Voir les 4 formations").click()
    expect(results).to_be_focused()


def test_the_unfiltered_catalogue_keeps_focus_at_the_top(new_context, live_server, catalogue):
    page = new_context(viewport=NARROW_PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}{reverse('formations:catalogue')}")
    assert page.evaluate("() => document.activeElement === document.body")
    expect(page.get_by_role("link", name="Voir les 4 formations")).to_have_count(0)


def test_a_filter_typed_wrong_takes_focus_to_the_explanation(new_context, live_server, catalogue):
    page = new_context(viewport=NARROW_PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}{reverse('formations:catalogue')}?duree_min=500&duree_max=10")

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    assert summary.evaluate(IN_VIEWPORT)
    # Each error leads to its field: here the first of the two durations.
    summary.get_by_role("link", name="Durée (en heures)", exact=False).click()
    expect(page.get_by_role("group", name="Durée (en heures)").get_by_label("Au moins")).to_be_focused()
