"""What the catalogue weighs on a phone, images included, and how its images behave, in a real Chromium."""

import pytest

from tests.campus.factories import CampusPageFactory
from tests.formations.factories import FormationPageFactory, SessionFactory, photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 360, "height": 740}
BUDGET_KB = 150
FORMATIONS = 12

# Everything the page fetched, as sent over the wire: the page itself, then its style sheets and images.
TRANSFERRED = """() => {
    const [navigation] = performance.getEntriesByType("navigation");
    const resources = performance.getEntriesByType("resource");
    return {
        total: navigation.transferSize + resources.reduce((sum, entry) => sum + entry.transferSize, 0),
        images: resources.filter((entry) => entry.initiatorType === "img").length,
    };
}"""

IMAGES = """() => Array.from(document.images, (img) => ({
    alt: img.getAttribute("alt"), width: img.getAttribute("width"), height: img.getAttribute("height"),
}))"""

HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def served_media(settings, tmp_path):
    """Uploaded images on disk and served at /media/, as in production."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }
    settings.ROOT_URLCONF = "tests.media_urls"


@pytest.fixture
def catalogue_with_photos(campus_index, served_media):
    campus = CampusPageFactory(parent=campus_index)
    for number in range(FORMATIONS):
        formation = FormationPageFactory(
            parent=campus,
            title=f"Formation au numérique n° {number + 1}",
            image=photo(seed=number),
            image_alt=f"Des apprenants de la formation n° {number + 1} au travail.",
        )
        SessionFactory(formation=formation)
    return campus


def open_catalogue(new_context, live_server, viewport=PHONE):
    page = new_context(viewport=viewport).new_page()
    page.goto(f"{live_server.url}/formations/", wait_until="networkidle")
    return page


def test_the_catalogue_with_twelve_photos_weighs_under_150_kb_on_a_phone(
    new_context, live_server, catalogue_with_photos, record_property
):
    open_catalogue(new_context, live_server)  # The image sizes are made on the first view, then kept.

    page = open_catalogue(new_context, live_server)
    transferred = page.evaluate(TRANSFERRED)

    record_property("catalogue_kb", round(transferred["total"] / 1024, 1))
    # Some images load (those near the screen); the lazy ones further down wait to be scrolled to.
    assert 0 < transferred["images"] < FORMATIONS
    assert transferred["total"] < BUDGET_KB * 1024, f"{transferred['total'] / 1024:.1f} KB"


def test_every_image_is_described_and_sized_so_nothing_moves(new_context, live_server, catalogue_with_photos):
    formation = catalogue_with_photos.get_children().first()
    for url in ("/formations/", formation.url):
        page = new_context(viewport=PHONE).new_page()
        page.goto(f"{live_server.url}{url}")

        images = page.evaluate(IMAGES)

        assert images, url
        for image in images:
            assert image["alt"] and image["alt"].strip(), (url, image)
            assert image["width"] and image["height"], (url, image)


def test_cards_with_and_without_an_image_fit_a_320_pixel_screen(new_context, live_server, catalogue_with_photos):
    SessionFactory(formation=FormationPageFactory(parent=catalogue_with_photos, title="Formation sans image"))

    page = open_catalogue(new_context, live_server, viewport={"width": 320, "height": 640})

    assert page.get_by_role("heading", name="Formation sans image").is_visible()
    assert page.evaluate(HORIZONTAL_SCROLL) is False
    widths = page.eval_on_selector_all(".card-image", "images => images.map((img) => img.clientWidth)")
    assert len(widths) == FORMATIONS and max(widths) <= 320
