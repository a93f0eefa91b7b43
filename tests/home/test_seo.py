"""How the public site is found and shared: sitemap, robots.txt, descriptions, canonical links, Open Graph, icon."""

import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from home.models import StandardPage
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import FormationPageFactory

pytestmark = pytest.mark.django_db

SITE = "https://tremplin.example.org"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
OPEN_GRAPH = ("og:title", "og:description", "og:url", "og:type", "og:locale", "og:site_name")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


class Head(HTMLParser):
    """The <meta> and <link> tags of a page, as a search engine or a link preview reads them."""

    def __init__(self):
        super().__init__()
        self.metas = []
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            self.metas.append(dict(attrs))
        elif tag == "link":
            self.links.append(dict(attrs))

    def meta(self, key, name):
        return [meta["content"] for meta in self.metas if meta.get(key) == name]

    def link(self, rel):
        return [link for link in self.links if link.get("rel") == rel]


def head_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    head = Head()
    head.feed(response.content.decode())
    return head


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    tree = ElementTree.fromstring(response.content)
    return [loc.text for loc in tree.findall("s:url/s:loc", SITEMAP_NS)]


@pytest.fixture
def campus(campus_index):
    return CampusPageFactory(title="Campus numérique de Vaulx-en-Velin", slug="vaulx-en-velin")


@pytest.fixture
def formation(campus):
    return FormationPageFactory(
        parent=campus,
        title="Développeur web et web mobile",
        slug="developpeur-web",
        summary="Apprendre à créer des sites et des applications web, en huit mois, au campus.",
    )


@pytest.fixture
def legal_page(home_page):
    return home_page.add_child(
        instance=StandardPage(title="Mentions légales", slug="mentions-legales", introduction="Qui publie ce site.")
    )


# --- The sitemap -----------------------------------------------------------------------------------


def test_the_sitemap_lists_every_live_public_page_with_the_site_address(
    client, home_page, campus_index, campus, formation, legal_page
):
    second = FormationPageFactory(parent=campus, slug="technicien-reseaux")

    locations = sitemap_locations(client)

    assert set(locations) == {
        f"{SITE}/",
        f"{SITE}/campus/",
        f"{SITE}/campus/vaulx-en-velin/",
        f"{SITE}/campus/vaulx-en-velin/developpeur-web/",
        f"{SITE}/campus/vaulx-en-velin/technicien-reseaux/",
        f"{SITE}/mentions-legales/",
        f"{SITE}/formations/",
        f"{SITE}/confidentialite/",
        f"{SITE}/glossaire/",
    }
    assert len(locations) == len(set(locations))
    assert second.get_full_url() in locations


def test_the_sitemap_leaves_out_drafts_and_pages_behind_a_login(client, home_page, campus, formation):
    draft = FormationPageFactory(parent=campus, slug="brouillon", draft=True)
    restricted = FormationPageFactory(parent=campus, slug="reservee")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    by_group = FormationPageFactory(parent=campus, slug="equipe")
    restriction = PageViewRestriction.objects.create(page=by_group, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="Équipe"))

    locations = sitemap_locations(client)

    assert formation.get_full_url() in locations
    for page in (draft, restricted, by_group):
        assert not any(location.endswith(f"/{page.slug}/") for location in locations), page.slug


def test_the_sitemap_names_no_private_address(client, home_page, formation):
    locations = sitemap_locations(client)

    private = ("/admin/", "/mon-espace/", "/financeurs/", "/comptes/", "/inscriptions/", "/suivi/")
    assert all(location.startswith(f"{SITE}/") for location in locations)
    assert not [location for location in locations if location.removeprefix(SITE).startswith(private)]
    assert not [location for location in locations if "localhost" in location or "testserver" in location]


def test_the_sitemap_follows_the_configured_address(client, settings, home_page, formation):
    settings.SITE_URL = "https://formations.tremplin.fr"

    locations = sitemap_locations(client)

    assert "https://formations.tremplin.fr/campus/vaulx-en-velin/developpeur-web/" in locations
    assert "https://formations.tremplin.fr/formations/" in locations


# --- robots.txt -------------------------------------------------------------------------------------


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_private_spaces(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for prefix in ("/admin/", "/mon-espace/", "/financeurs/", "/comptes/"):
        assert f"Disallow: {prefix}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert "Disallow: /" not in lines
    assert not [line for line in lines if line.startswith("Disallow: /formations") or line == "Disallow: /campus/"]


@pytest.mark.parametrize("path", ["/robots.txt", "/sitemap.xml"])
def test_robots_txt_and_the_sitemap_answer_no_post(client, home_page, path):
    assert client.post(path).status_code == 405


# --- The head of every public page ------------------------------------------------------------------


PUBLIC_PAGES = ["home", "catalogue", "campus_index", "campus", "formation", "legal", "privacy", "glossary"]


@pytest.fixture
def public_urls(home_page, campus_index, campus, formation, legal_page):
    return {
        "home": "/",
        "catalogue": "/formations/",
        "campus_index": campus_index.url,
        "campus": campus.url,
        "formation": formation.url,
        "legal": legal_page.url,
        "privacy": "/confidentialite/",
        "glossary": "/glossaire/",
    }


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_each_public_page_has_one_description_canonical_link_open_graph_and_icon(client, public_urls, name):
    head = head_of(client, public_urls[name])

    descriptions = head.meta("name", "description")
    assert len(descriptions) == 1
    assert 0 < len(descriptions[0]) <= 160
    canonicals = head.link("canonical")
    assert len(canonicals) == 1
    assert canonicals[0]["href"].startswith(f"{SITE}/")
    for property_ in OPEN_GRAPH:
        assert len(head.meta("property", property_)) == 1, property_
        assert head.meta("property", property_)[0], property_
    assert head.meta("property", "og:url") == [canonicals[0]["href"]]
    assert head.meta("property", "og:description") == descriptions
    assert head.meta("property", "og:locale") == ["fr_FR"]
    assert head.meta("property", "og:site_name") == ["Tremplin"]
    icons = head.link("icon")
    assert {icon["type"] for icon in icons} == {"image/svg+xml", "image/png"}


def test_a_formation_is_described_by_its_summary_and_shared_under_its_title(client, formation):
    head = head_of(client, formation.url + "?utm_source=facebook&fbclid=abc")

    assert head.meta("name", "description") == [formation.summary]
    assert head.meta("property", "og:title") == ["Développeur web et web mobile"]
    assert head.link("canonical")[0]["href"] == f"{SITE}/campus/vaulx-en-velin/developpeur-web/"


def test_the_search_description_wins_over_the_summary_and_the_seo_title_over_the_title(client, formation):
    formation.search_description = "Devenir développeur web en huit mois, gratuitement, à Vaulx-en-Velin."
    formation.seo_title = "Devenir développeur web à Vaulx-en-Velin"
    formation.save_revision().publish()

    head = head_of(client, formation.url)

    assert head.meta("name", "description") == [formation.search_description]
    assert head.meta("property", "og:title") == ["Devenir développeur web à Vaulx-en-Velin"]


def test_a_long_summary_is_cut_at_a_word_under_160_characters(client, campus):
    words = "Un campus ouvert à toutes et à tous, au cœur du quartier, avec des formations au numérique " * 3
    campus.summary = words.strip()[:300]
    campus.save_revision().publish()

    description = head_of(client, campus.url).meta("name", "description")[0]

    assert len(description) <= 160
    assert description.endswith("…")
    kept = description.removesuffix("…")
    assert words.startswith(kept)
    assert words[len(kept)] in " ,", "cut inside a word"
    assert len(kept) > 140


def test_a_page_with_nothing_to_say_gets_the_site_description(client, home_page):
    home_page.introduction = ""
    home_page.save_revision().publish()

    description = head_of(client, "/").meta("name", "description")[0]

    assert "formations au numérique" in description


def test_the_campus_page_is_described_by_its_summary(client, campus):
    campus.summary = "Le campus du Mas du Taureau : formations au code, aux réseaux et à la cybersécurité."
    campus.save_revision().publish()

    assert head_of(client, campus.url).meta("name", "description") == [campus.summary]


def test_the_catalogue_canonical_keeps_its_filters_and_drops_the_rest(client, formation):
    head = head_of(client, "/formations/?q=web&utm_source=newsletter&fbclid=abc&page=1&inconnu=1")

    assert head.link("canonical")[0]["href"] == f"{SITE}/formations/?q=web"
    assert head.meta("property", "og:title") == ["Trouver une formation au numérique"]


def test_the_catalogue_without_filters_has_its_bare_address(client, formation):
    head = head_of(client, "/formations/?utm_campaign=rentree")

    assert head.link("canonical")[0]["href"] == f"{SITE}/formations/"


def test_a_view_page_canonical_drops_its_query_string(client):
    head = head_of(client, "/confidentialite/?utm_source=affiche")

    assert head.link("canonical")[0]["href"] == f"{SITE}/confidentialite/"


def test_absolute_addresses_follow_the_configured_site(client, settings, formation):
    settings.SITE_URL = "https://formations.tremplin.fr"

    head = head_of(client, formation.url)

    assert head.link("canonical")[0]["href"] == "https://formations.tremplin.fr/campus/vaulx-en-velin/developpeur-web/"
    assert formation.get_full_url() == "https://formations.tremplin.fr/campus/vaulx-en-velin/developpeur-web/"
    assert formation.full_url == formation.get_full_url()


def test_the_structured_data_points_to_the_configured_site_never_localhost(client, settings, formation):
    settings.SITE_URL = "https://formations.tremplin.fr"

    html = client.get(formation.url).content.decode()

    data = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1)
    assert "https://formations.tremplin.fr/campus/vaulx-en-velin/developpeur-web/" in data
    assert "https://formations.tremplin.fr/campus/vaulx-en-velin/" in data
    assert "localhost" not in data


def test_the_head_carries_no_inline_script_or_style_the_security_policy_would_block(client, formation):
    response = client.get(formation.url)

    html = response.content.decode()
    head = html.split("</head>")[0]
    assert "<style" not in head
    assert 'style="' not in head
    assert re.findall(r"<script(?![^>]*application/ld\+json)", head) == []
    assert "img-src 'self'" in response["Content-Security-Policy"]


# --- The icon -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("favicon.svg", "image/svg+xml"),
        ("favicon.png", "image/png"),
        ("apple-touch-icon.png", "image/png"),
        ("favicon.ico", "image/x-icon"),
    ],
)
def test_the_icons_are_served_with_their_content_type(client, name, content_type):
    from django.templatetags.static import static

    response = client.get(static(name))

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    response.close()
    assert body


def test_a_missing_page_has_the_icon_but_no_canonical_address_nor_preview(client, home_page):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    head = Head()
    head.feed(response.content.decode())
    assert head.link("canonical") == []
    assert head.meta("property", "og:url") == []
    assert {icon["type"] for icon in head.link("icon")} == {"image/svg+xml", "image/png"}


@pytest.mark.parametrize("path", ["/comptes/login/", "/comptes/signup/"])
def test_a_page_of_the_private_spaces_is_neither_given_a_canonical_address_nor_a_preview(client, home_page, path):
    head = head_of(client, path)

    assert head.link("canonical") == []
    assert [meta for meta in head.metas if meta.get("property", "").startswith("og:")] == []
    assert len(head.meta("name", "description")) == 1
    assert {icon["type"] for icon in head.link("icon")} == {"image/svg+xml", "image/png"}


def test_the_address_browsers_ask_for_by_habit_leads_to_the_icon(client):
    from django.templatetags.static import static

    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response.url == static("favicon.ico")
    icon = client.get(response.url)
    icon.close()
    assert icon.status_code == 200


def test_the_sitemap_costs_the_same_queries_whatever_the_number_of_formations(
    client, home_page, campus, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    FormationPageFactory.create_batch(2, parent=campus)
    with CaptureQueriesContext(connection) as few:
        sitemap_locations(client)
    FormationPageFactory.create_batch(8, parent=campus)

    with django_assert_max_num_queries(len(few)):
        assert len(sitemap_locations(client)) == 1 + 1 + 1 + 10 + 3


def test_a_page_outside_the_site_tree_keeps_the_address_asked_at_as_its_canonical(rf, home_page, campus):
    from wagtail.models import Page

    from home import seo

    stray = Page.get_first_root_node().add_child(instance=StandardPage(title="Hors du site", slug="hors-du-site"))
    assert stray.get_full_url() is None

    assert seo.canonical_url(rf.get("/ailleurs/?utm_source=x"), page=stray) == f"{SITE}/ailleurs/"
    assert seo.canonical_url(rf.get("/ailleurs/"), page=campus) == f"{SITE}/campus/vaulx-en-velin/"
