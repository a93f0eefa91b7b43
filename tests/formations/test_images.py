"""A formation's optional image: described when set, shown in every size a screen needs, cheap to list."""

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.models import CampusPhoto
from formations.models import FormationPage
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory, formation_admin_form, photo

pytestmark = pytest.mark.django_db

ALT = "Deux apprenantes codent ensemble devant un grand écran."


@pytest.fixture
def campus(campus_index):
    return CampusPageFactory(parent=campus_index)


def img_tags(html):
    return re.findall(r"<img\b[^>]*>", html)


def attributes(tag):
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))


# --- The description ------------------------------------------------------------------------------


@pytest.mark.parametrize("alt", ["", "   "])
def test_an_image_without_a_description_is_refused_in_plain_french(campus, alt):
    formation = FormationPageFactory(parent=campus)
    formation.image, formation.image_alt = photo(width=160, height=100), alt

    with pytest.raises(ValidationError) as refused:
        formation.full_clean()

    assert refused.value.message_dict["image_alt"] == [
        "Décrivez ce que montre l'image, pour les personnes qui ne la voient pas."
    ]


def test_an_image_with_its_description_or_no_image_at_all_is_accepted(campus):
    formation = FormationPageFactory(parent=campus)
    formation.full_clean()

    formation.image, formation.image_alt = photo(width=160, height=100), ALT
    formation.full_clean()


def test_removing_the_image_drops_its_description(campus):
    formation = FormationPageFactory(parent=campus, image=photo(width=160, height=100), image_alt=ALT)
    formation.image = None

    formation.full_clean()

    assert formation.image_alt == ""


def formation_form(image, alt):
    return formation_admin_form(image=image.pk, image_alt=alt)


def test_a_campus_team_cannot_save_a_formation_image_without_its_description(client, campus):
    client.force_login(UserFactory(staff_of=campus))
    image = photo(width=160, height=100, collection=campus.collection)
    add_url = reverse("wagtailadmin_pages:add", args=["formations", "formationpage", campus.pk])

    response = client.post(add_url, formation_form(image, ""))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["image_alt"]
    assert not FormationPage.objects.child_of(campus).exists()
    assert client.post(add_url, formation_form(image, ALT)).status_code == 302
    saved = FormationPage.objects.child_of(campus).get()
    assert (saved.image, saved.image_alt) == (image, ALT)


# --- How it is shown ------------------------------------------------------------------------------


def test_a_card_shows_the_image_in_several_widths_lazily_with_its_size_and_description(client, campus):
    formation = FormationPageFactory(parent=campus, image=photo(), image_alt=ALT)
    SessionFactory(formation=formation)

    html = client.get(reverse("formations:catalogue")).content.decode()

    [tag] = img_tags(html)
    image = attributes(tag)
    assert image["alt"] == ALT
    assert (image["width"], image["height"]) == ("320", "200")
    assert image["loading"] == "lazy" and image["decoding"] == "async"
    assert [candidate.split()[1] for candidate in image["srcset"].split(", ")] == ["320w", "480w", "640w"]
    assert all(".webp" in candidate for candidate in image["srcset"].split(", "))
    assert image["sizes"].endswith("calc(100vw - 4rem)")


def test_a_card_without_an_image_shows_no_image(client, campus):
    SessionFactory(formation=FormationPageFactory(parent=campus))

    html = client.get(reverse("formations:catalogue")).content.decode()

    assert img_tags(html) == []


def test_the_formation_page_loads_its_image_first_not_lazily(client, campus):
    formation = FormationPageFactory(parent=campus, image=photo(), image_alt=ALT)

    html = client.get(formation.url).content.decode()

    [tag] = img_tags(html)
    image = attributes(tag)
    assert image["alt"] == ALT
    assert (image["width"], image["height"]) == ("360", "225")
    assert image["fetchpriority"] == "high" and "loading" not in image
    assert [candidate.split()[1] for candidate in image["srcset"].split(", ")] == [
        "360w",
        "720w",
        "1080w",
        "1280w",
    ]


def test_campus_photos_come_in_several_widths_too(client, campus):
    CampusPhoto.objects.create(page=campus, image=photo(), alt_text="L’accueil du campus.")

    html = client.get(campus.url).content.decode()

    [tag] = img_tags(html)
    image = attributes(tag)
    assert image["alt"] == "L’accueil du campus."
    assert (image["width"], image["height"]) == ("320", "213")
    assert image["loading"] == "lazy"
    assert len(image["srcset"].split(", ")) == 3


def add_formations_with_images(campus, count):
    image = photo(width=800, height=500)
    for _ in range(count):
        SessionFactory(formation=FormationPageFactory(parent=campus, image=image, image_alt=ALT))


def test_the_catalogue_needs_as_many_queries_for_9_cards_with_images_as_for_3(client, campus):
    add_formations_with_images(campus, 3)
    url = reverse("formations:catalogue")
    client.get(url)  # The image sizes are made on the first view, then kept.

    # With the cache emptied (a restart, an eviction), the sizes come from the database: in one query.
    cache.clear()
    with CaptureQueriesContext(connection) as three:
        assert len(img_tags(client.get(url).content.decode())) == 3
    add_formations_with_images(campus, 6)
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as nine:
        assert len(img_tags(client.get(url).content.decode())) == 9

    assert len(nine) == len(three)
