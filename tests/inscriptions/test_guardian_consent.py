import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse

from inscriptions.enums import GuardianConsentMethod
from inscriptions.notifications import GUARDIAN_SALT, guardian_token
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory


def consent_url(token):
    return reverse("inscriptions:accord_parental", args=[token])


@pytest.fixture
def minor():
    return LearnerFactory(minor=True, first_name="Moussa", last_name="Traoré")


@pytest.fixture
def application(minor):
    return ApplicationFactory(learner=minor, session=SessionFactory())


def test_the_page_says_who_asks_for_what(client, minor, application):
    response = client.get(consent_url(guardian_token(minor)))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Moussa" in page
    assert "Traoré" not in page
    assert application.session.formation.title in page
    assert application.campus.title in page
    assert 'value="Parent Exemple"' in page
    assert 'name="agree"' in page


def test_giving_consent_records_it_by_email(client, minor, application):
    response = client.post(consent_url(guardian_token(minor)), {"guardian_name": "Aminata Traoré", "agree": "on"})

    assert response.status_code == 200
    assert "Merci pour votre accord" in response.content.decode()
    minor.refresh_from_db()
    assert minor.guardian_consent_at is not None
    assert minor.guardian_consent_method == GuardianConsentMethod.EMAIL
    assert minor.guardian_name == "Aminata Traoré"
    assert not minor.needs_guardian_consent()


def test_consent_needs_the_checkbox(client, minor, application):
    response = client.post(consent_url(guardian_token(minor)), {"guardian_name": "Aminata Traoré"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    minor.refresh_from_db()
    assert minor.guardian_consent_at is None


def test_a_link_already_used_says_so_and_records_nothing_more(client, minor, application):
    token = guardian_token(minor)
    client.post(consent_url(token), {"guardian_name": "Aminata Traoré", "agree": "on"})
    minor.refresh_from_db()
    first_consent = minor.guardian_consent_at

    response = client.post(consent_url(token), {"guardian_name": "Quelqu’un d’autre", "agree": "on"})

    assert response.status_code == 200
    assert "Accord déjà donné" in response.content.decode()
    minor.refresh_from_db()
    assert minor.guardian_consent_at == first_consent
    assert minor.guardian_name == "Aminata Traoré"


def test_a_forged_link_is_not_valid(client, minor):
    forged = signing.dumps([minor.pk, minor.guardian_email], salt="autre-chose")

    response = client.get(consent_url(forged))

    assert response.status_code == 404
    assert "Ce lien ne marche plus" in response.content.decode()


def test_a_tampered_link_is_not_valid(client, minor):
    token = guardian_token(minor)

    assert client.get(consent_url(token[:-2] + "xx")).status_code == 404


def test_an_expired_link_is_not_valid(client, minor):
    too_old = time.time() - (settings.GUARDIAN_CONSENT_MAX_AGE_DAYS + 1) * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=too_old):
        token = signing.dumps([minor.pk, minor.guardian_email], salt=GUARDIAN_SALT)

    response = client.post(consent_url(token), {"guardian_name": "Aminata Traoré", "agree": "on"})

    assert response.status_code == 404
    minor.refresh_from_db()
    assert minor.guardian_consent_at is None


def test_a_link_sent_to_a_former_address_is_not_valid(client, minor):
    token = guardian_token(minor)
    minor.guardian_email = "nouvelle@famille.example"
    minor.save()

    assert client.get(consent_url(token)).status_code == 404


def test_the_email_sent_to_the_parent_links_to_a_working_page(client, minor, mailoutbox):
    from inscriptions import notifications

    notifications.ask_guardian_consent(minor.pk)

    body = mailoutbox[0].body
    path = body.split(settings.PUBLIC_BASE_URL, 1)[1].split()[0]
    assert client.get(path).status_code == 200
