"""The 404 and 500 pages speak French, look like the site, and the 500 page asks nothing of the database."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.views.defaults import server_error


def broken(request):
    raise RuntimeError("something broke")


urlpatterns = [path("casse/", broken), path("", include("config.urls"))]
handler500 = "home.errors.server_error"


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


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def connection_already_closed(request):
    raise InterfaceError("connection already closed")


class SessionLoadedWithoutDatabase:
    """A middleware that reaches the database before any view, as loading the session does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("could not connect to server: Connection refused")


# Before the site's own patterns, whose last one answers every address.
urlpatterns[:0] = [path("base-partie/", database_gone), path("connexion-close/", connection_already_closed)]


@pytest.mark.parametrize("path_", ["/base-partie/", "/connexion-close/"])
def test_a_database_out_of_reach_is_a_503_that_says_to_check_before_sending_again(path_):
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        response = Client(raise_request_exception=False).get(path_)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Le service est momentanément indisponible" in page
    assert "regardez d’abord dans votre espace s’il a été enregistré" in page


def test_a_database_out_of_reach_before_the_view_is_a_503_too():
    middleware = ["tests.home.test_error_pages.SessionLoadedWithoutDatabase"]
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False, MIDDLEWARE=middleware):
        response = Client(raise_request_exception=False).get("/casse/")

    assert response.status_code == 503


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_any_other_error_stays_a_500():
    assert Client(raise_request_exception=False).get("/casse/").status_code == 500
