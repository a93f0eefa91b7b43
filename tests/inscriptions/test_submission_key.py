"""The application form carries a key: sent twice, it lands on one application, and a database error never tells a
young person that an application which was saved has failed."""

import re
import uuid

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from inscriptions import services
from inscriptions.enums import Availability
from inscriptions.models import Application, StatusChange
from inscriptions.services import applying
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import LearnerFactory

APPLICATION = {"motivation": "J’aime réparer les ordinateurs de ma famille.", "availability": Availability.FULL}


def apply_url(session):
    return reverse("inscriptions:postuler", args=[session.pk])


def sent_url(application):
    return reverse("inscriptions:postuler_envoye", args=[application.pk])


@pytest.fixture
def session():
    return SessionFactory()


@pytest.fixture
def client():
    # Like a browser: an error is a page, not an exception raised into the test.
    return Client(raise_request_exception=False)


@pytest.fixture
def learner(client):
    learner = LearnerFactory()
    client.force_login(learner.user)
    return learner


def key_in(page):
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def test_each_showing_of_the_form_has_a_new_key(client, session, learner):
    first = key_in(client.get(apply_url(session)).content.decode())
    second = key_in(client.get(apply_url(session)).content.decode())
    assert first != second


def test_the_same_form_sent_twice_lands_on_one_application(client, session, learner):
    data = {**APPLICATION, "submission_key": key_in(client.get(apply_url(session)).content.decode())}

    first = client.post(apply_url(session), data)
    again = client.post(apply_url(session), data)

    application = Application.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == sent_url(application)
    assert str(application.submission_key) == data["submission_key"]


def test_another_form_for_the_same_session_is_still_refused(client, session, learner):
    client.post(apply_url(session), {**APPLICATION, "submission_key": key_in(client.get(apply_url(session)).text)})
    response = client.post(apply_url(session), {**APPLICATION, "submission_key": str(uuid.uuid4())})
    assert response.status_code == 409
    assert Application.objects.count() == 1


def test_a_form_shown_before_keys_existed_still_applies(client, session, learner):
    response = client.post(apply_url(session), APPLICATION)
    assert response.url == sent_url(Application.objects.get())


def test_a_database_error_before_the_save_says_nothing_was_saved_and_keeps_the_form(
    client, session, learner, monkeypatch
):
    key = key_in(client.get(apply_url(session)).text)

    def lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(StatusChange.objects, "create", lost)
    response = client.post(apply_url(session), {**APPLICATION, "submission_key": key})

    assert response.status_code == 503
    page = response.content.decode()
    assert "Nous n’avons pas pu enregistrer votre candidature" in page
    assert "J’aime réparer les ordinateurs de ma famille." in page
    assert key_in(page) == key  # sent again, the same form can still only make one application
    assert not Application.objects.exists()

    monkeypatch.undo()
    response = client.post(apply_url(session), {**APPLICATION, "submission_key": key})
    assert response.url == sent_url(Application.objects.get())


def test_a_database_error_after_the_save_still_says_the_application_is_sent(client, session, learner, monkeypatch):
    key = key_in(client.get(apply_url(session)).text)

    def lost(learner):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(applying, "link_referrals", lost)
    response = client.post(apply_url(session), {**APPLICATION, "submission_key": key})

    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == sent_url(application)


def test_a_database_that_does_not_answer_gives_a_page_to_try_again_not_a_server_error(
    client, session, learner, monkeypatch
):
    def lost(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "application_refusal", lost)
    response = client.post(apply_url(session), APPLICATION)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Service momentanément indisponible" in page
    assert "Nous n’avons pas pu enregistrer" not in page  # it is not known here: the retry will tell


def test_any_other_error_is_still_a_server_error(client, session, learner, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not a lost database")

    monkeypatch.setattr(services, "application_refusal", broken)
    assert client.post(apply_url(session), APPLICATION).status_code == 500
