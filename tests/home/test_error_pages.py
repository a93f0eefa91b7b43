"""The 404 and 500 pages speak French, look like the site, and the 500 page asks nothing of the database."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.views.defaults import server_error


def broken(request):
    raise RuntimeError("something broke")


urlpatterns = [path("casse/", broken), path("", include("config.urls"))]


@override_settings(DEBUG=False)
def test_a_missing_page_says_so_in_french_with_the_way_back(client, home_page):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Cette page n’existe pas ou plus" in page
    assert "Voir toutes les formations" in page
    assert 'class="site-header"' in page  # the site's own header and menu


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_a_plain_french_page():
    response = Client(raise_request_exception=False).get("/casse/")

    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Un problème est survenu de notre côté" in page
    assert "Ce n’est pas de votre faute" in page
    assert "<script" not in page
    assert "css/site.css" in page


@pytest.mark.django_db
def test_the_500_page_asks_nothing_of_the_database(django_assert_max_num_queries):
    with override_settings(DEBUG=False), django_assert_max_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Un problème est survenu de notre côté" in response.content.decode()
