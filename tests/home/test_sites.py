"""The request's Wagtail site is kept in the cache (home.sites): read once, dropped when a site changes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from tests.campus.factories import CampusPageFactory


def site_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query for query in captured if '"wagtailcore_site"' in query["sql"]]


def test_the_site_is_read_once_then_kept(client, home_page):
    campus = CampusPageFactory(title="Campus de Bondy")

    assert len(site_queries(client, campus.url)) == 1
    assert site_queries(client, campus.url) == []
    assert site_queries(client, "/") == []


def test_a_page_that_never_asks_for_its_site_reads_nothing(client, home_page, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/glossaire/").status_code == 200


def test_a_site_saved_is_read_again(client, home_page):
    campus = CampusPageFactory(title="Campus de Bondy")
    site_queries(client, campus.url)
    site = Site.objects.get(is_default_site=True)

    site.site_name = "Tremplin, nouveau nom"
    site.save()

    assert site_queries(client, campus.url) != []


def test_the_home_page_kept_with_the_site_shows_what_was_published_since(client, home_page):
    """The home page is the site's root: its content is read at each visit, never kept with the site."""
    assert client.get("/").status_code == 200
    home_page.title = "Accueil republié"
    home_page.seo_title = "Un titre publié après la première visite"
    home_page.save_revision().publish()

    assert "Un titre publié après la première visite" in client.get("/").content.decode()


def test_a_host_django_refuses_still_gets_its_400(client, home_page):
    assert client.get("/", HTTP_HOST="ailleurs.example").status_code == 400
