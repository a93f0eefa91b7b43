"""Public pages served from the shared cache to anonymous visitors (home.page_cache): fresh after every change
they show, never a logged-in person's page, never a page with one person's data in it."""

import datetime

import pytest
from django.contrib import messages as messages_constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.utils import dateformat, timezone

from home import page_cache
from inscriptions.workflow import Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def campus(campus_index):
    return CampusPageFactory(title="Campus numérique de Bondy")


@pytest.fixture
def formation(campus):
    formation = FormationPageFactory(parent=campus, title="Technicien réseaux")
    SessionFactory(formation=formation, capacity=1)
    return formation


def public_urls(formation):
    return {
        "accueil": "/",
        "catalogue": "/formations/",
        "catalogue filtré": "/formations/?format=sur_place&page=1",
        "liste des campus": "/campus/",
        "campus": formation.get_parent().url,
        "formation": formation.url,
    }


@pytest.mark.parametrize(
    "name", ["accueil", "catalogue", "catalogue filtré", "liste des campus", "campus", "formation"]
)
def test_the_second_anonymous_visit_asks_nothing_of_the_database(client, formation, name, django_assert_num_queries):
    url = public_urls(formation)[name]
    first = client.get(url)
    assert first.status_code == 200

    with django_assert_num_queries(0):
        second = client.get(url)

    assert second.status_code == 200
    assert second.content == first.content
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]


def test_head_is_answered_from_the_cache_too(client, formation, django_assert_num_queries):
    client.get("/formations/")

    with django_assert_num_queries(0):
        assert client.head("/formations/").status_code == 200


def test_a_formation_published_shows_on_the_next_visit(client, campus):
    draft = FormationPageFactory(parent=campus, title="Data analyste", live=False)
    assert "Data analyste" not in client.get("/formations/").content.decode()

    draft.save_revision().publish()

    assert "Data analyste" in client.get("/formations/").content.decode()
    assert "Data analyste" in client.get(campus.url).content.decode()


def test_a_formation_unpublished_or_deleted_leaves_the_next_visit(client, formation):
    other = FormationPageFactory(parent=formation.get_parent(), title="Community manager")
    assert "Technicien réseaux" in client.get("/formations/").content.decode()

    formation.unpublish()
    other.delete()

    page = client.get("/formations/").content.decode()
    assert "Technicien réseaux" not in page
    assert "Community manager" not in page


def test_an_edited_session_shows_on_the_next_visit(client, formation):
    session = formation.sessions.get()
    later = timezone.localdate() + datetime.timedelta(days=200)
    shown = f"Prochaine session : {dateformat.format(later, 'j F Y')}"
    before = client.get(formation.url).content
    assert shown not in client.get("/formations/").content.decode()

    session.start_date, session.end_date, session.application_deadline = later, later, later
    session.save()

    assert shown in client.get("/formations/").content.decode()
    assert client.get(formation.url).content != before


def test_an_application_taking_the_last_seat_shows_on_the_next_visit(client, formation):
    assert "Candidatures ouvertes" in client.get("/formations/").content.decode()
    application = ApplicationFactory(session=formation.sessions.get())

    move_to(application, Status.ADMITTED, actor=UserFactory(staff_of=formation.get_parent().specific))

    assert "Complet : liste d’attente" in client.get("/formations/").content.decode()


def test_a_new_day_is_a_new_page(client, formation, monkeypatch, django_assert_max_num_queries):
    client.get("/formations/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: tomorrow)

    with django_assert_max_num_queries(100) as captured:
        client.get("/formations/")

    assert len(captured) > 0


def test_query_strings_are_pages_of_their_own_in_any_order(client, campus, django_assert_num_queries):
    FormationPageFactory(parent=campus, title="Développeur web", format="sur_place")
    FormationPageFactory(parent=campus, title="Designer graphique", format="a_distance")
    on_site = client.get("/formations/?format=sur_place&tri=duree").content.decode()
    remote = client.get("/formations/?format=a_distance&tri=duree").content.decode()

    assert "Développeur web" in on_site and "Designer graphique" not in on_site
    assert "Designer graphique" in remote and "Développeur web" not in remote
    with django_assert_num_queries(0):
        assert client.get("/formations/?tri=duree&format=sur_place").content.decode() == on_site


def test_a_query_string_the_page_does_not_read_is_never_stored(client, formation):
    for _ in range(2):
        response = client.get("/formations/?utm_source=lettre")
        assert "public" not in response.get("Cache-Control", "")
    assert not page_cache.cache.get(page_cache._key(RequestFactory().get("/formations/?utm_source=lettre"), 1))


def test_a_post_is_never_answered_nor_stored(client, formation, django_assert_max_num_queries):
    client.get("/formations/")

    with django_assert_max_num_queries(100) as captured:
        client.post("/formations/")
    assert len(captured) > 0

    client.post(formation.url)
    with django_assert_max_num_queries(100) as captured:
        client.get(formation.url)
    assert len(captured) > 0


@pytest.fixture
def learner():
    return LearnerFactory(
        first_name="Yasmine", last_name="Benali", user__email="yasmine.benali@exemple.fr", user__username="yasmine"
    )


def test_a_logged_in_learner_never_gets_the_stored_page(client, formation, learner):
    anonymous = client.get("/formations/").content.decode()
    assert "Se connecter" in anonymous

    client.force_login(learner.user)
    response = client.get("/formations/")

    assert "Mon espace" in response.content.decode()
    assert "public" not in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_a_logged_in_learner_never_leaves_their_page_for_the_next_visitor(client, formation, learner):
    client.force_login(learner.user)
    for url in public_urls(formation).values():
        assert client.get(url).status_code == 200
    client.logout()

    for url in public_urls(formation).values():
        page = client.get(url).content.decode()
        assert "Mon espace" not in page, url
        assert "Se déconnecter" not in page, url
        for personal in ("Yasmine", "Benali", "yasmine.benali@exemple.fr", "csrfmiddlewaretoken"):
            assert personal not in page, (url, personal)


def test_a_visitor_with_a_message_waiting_sees_it(client, formation):
    client.get("/formations/")
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(messages_constants.SUCCESS, "Votre compte est supprimé.")])

    assert "Votre compte est supprimé." in client.get("/formations/").content.decode()
    assert "Votre compte est supprimé." not in client.get("/formations/").content.decode()


def test_the_cache_can_be_turned_off(client, formation, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get("/formations/")

    with django_assert_max_num_queries(100) as captured:
        response = client.get("/formations/")

    assert len(captured) > 0
    assert "public" not in response.get("Cache-Control", "")
