"""In a real browser, under the site's Content Security Policy: the icons load and draw, no policy complaint."""

import pytest

from tests.formations.factories import FormationPageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DRAW_ICONS = """async () => {
    const links = [...document.querySelectorAll('link[rel="icon"], link[rel="apple-touch-icon"]')];
    return Promise.all(links.map(link => new Promise(resolve => {
        const image = new Image();
        image.onload = () => resolve([link.getAttribute("href"), image.naturalWidth]);
        image.onerror = () => resolve([link.getAttribute("href"), 0]);
        image.src = link.href;
    })));
}"""


def test_the_icons_draw_on_a_formation_page_and_the_policy_blocks_nothing(new_context, live_server, campus_index):
    formation = FormationPageFactory(title="Développeur web et web mobile")
    page = new_context(viewport={"width": 360, "height": 640}).new_page()
    complaints = []
    page.on("console", lambda message: complaints.append(message.text))

    page.goto(f"{live_server.url}{formation.url}")

    drawn = dict(page.evaluate(DRAW_ICONS))
    assert set(drawn) == {"/static/favicon.svg", "/static/favicon.png", "/static/apple-touch-icon.png"}
    assert all(width > 0 for width in drawn.values()), drawn
    assert [text for text in complaints if "Content Security Policy" in text] == []
