import base64
import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from inscriptions import notifications
from inscriptions.enums import GuardianConsentMethod
from inscriptions.models import GuardianConsentToken, Learner
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, learner_profile_data, years_ago


def consent_url(token):
    return reverse("inscriptions:accord_parental", args=[token])


def link_in(message):
    return message.body.split(settings.PUBLIC_BASE_URL, 1)[1].split()[0]


@pytest.fixture
def minor():
    return LearnerFactory(minor=True, first_name="Moussa", last_name="Traoré")


@pytest.fixture
def application(minor):
    return ApplicationFactory(learner=minor, session=SessionFactory())


@pytest.fixture
def token(minor):
    return GuardianConsentToken.objects.issue(minor)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


# --- The page the parent opens ------------------------------------------------------------------


def test_the_page_says_who_asks_for_what(client, token, application):
    response = client.get(consent_url(token))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Moussa" in page
    assert "Traoré" not in page
    assert application.session.formation.title in page
    assert application.campus.title in page
    assert 'value="Parent Exemple"' in page
    assert 'name="agree"' in page


def test_giving_consent_records_it_by_email(client, minor, token, application):
    response = client.post(consent_url(token), {"guardian_name": "Aminata Traoré", "agree": "on"})

    assert response.status_code == 200
    assert "Merci pour votre accord" in response.content.decode()
    minor.refresh_from_db()
    assert minor.guardian_consent_at is not None
    assert minor.guardian_consent_method == GuardianConsentMethod.EMAIL
    assert minor.guardian_name == "Aminata Traoré"
    assert not minor.needs_guardian_consent()


def test_consent_needs_the_checkbox(client, minor, token, application):
    response = client.post(consent_url(token), {"guardian_name": "Aminata Traoré"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    minor.refresh_from_db()
    assert minor.guardian_consent_at is None


def test_a_link_already_used_says_so_and_records_nothing_more(client, minor, token, application):
    client.post(consent_url(token), {"guardian_name": "Aminata Traoré", "agree": "on"})
    minor.refresh_from_db()
    first_consent = minor.guardian_consent_at

    response = client.post(consent_url(token), {"guardian_name": "Quelqu’un d’autre", "agree": "on"})

    assert response.status_code == 200
    assert "Accord déjà donné" in response.content.decode()
    minor.refresh_from_db()
    assert minor.guardian_consent_at == first_consent
    assert minor.guardian_name == "Aminata Traoré"


def test_a_used_link_does_nothing_even_if_the_consent_is_gone(client, minor, token, application):
    """One-time: once used, a link never records a consent again, whatever happened to the profile since."""
    client.post(consent_url(token), {"guardian_name": "Aminata Traoré", "agree": "on"})
    minor.refresh_from_db()
    minor.guardian_consent_at = None
    minor.save()

    client.post(consent_url(token), {"guardian_name": "Quelqu’un d’autre", "agree": "on"})

    minor.refresh_from_db()
    assert minor.guardian_consent_at is None
    assert minor.guardian_name == "Aminata Traoré"


def test_a_made_up_link_is_not_valid(client, minor, token):
    assert client.get(consent_url(token[:-2] + "xx")).status_code == 404
    response = client.get(consent_url("faux"))
    assert response.status_code == 404
    assert "Ce lien ne marche plus" in response.content.decode()


def test_an_expired_link_does_nothing(client, minor):
    too_old = timezone.now() - datetime.timedelta(days=settings.GUARDIAN_CONSENT_MAX_AGE_DAYS, seconds=1)
    token = GuardianConsentToken.objects.issue(minor, now=too_old)

    response = client.post(consent_url(token), {"guardian_name": "Aminata Traoré", "agree": "on"})

    assert response.status_code == 404
    minor.refresh_from_db()
    assert minor.guardian_consent_at is None


def test_a_link_sent_to_another_address_does_nothing(client, minor, token):
    minor.guardian_email = "nouvelle@famille.example"
    minor.save()

    response = client.post(consent_url(token), {"guardian_name": "Aminata Traoré", "agree": "on"})

    assert response.status_code == 404
    minor.refresh_from_db()
    assert minor.guardian_consent_at is None


def test_only_a_hash_of_the_link_is_stored(minor, token):
    stored = GuardianConsentToken.objects.get(learner=minor)

    assert token not in stored.token_hash
    assert minor.guardian_email not in stored.guardian_email_hash


# --- The e-mail sent to the parent --------------------------------------------------------------


def test_the_email_sent_to_the_parent_links_to_a_working_page(client, minor, application):
    notifications.ask_guardian_consent(minor.pk)

    assert client.get(link_in(mail.outbox[0])).status_code == 200


def test_the_link_carries_no_email_nor_anything_readable(minor):
    notifications.ask_guardian_consent(minor.pk)

    path = link_in(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    encodings = {
        minor.guardian_email,
        base64.urlsafe_b64encode(minor.guardian_email.encode()).decode().rstrip("="),
        base64.b64encode(minor.guardian_email.encode()).decode().rstrip("="),
    }
    for encoded in encodings:
        assert encoded not in path
        assert encoded[:12] not in token
    assert ":" not in token  # not a signed, readable payload
    assert str(minor.pk) != token


def test_no_name_in_the_subject_of_the_parents_email(minor):
    notifications.ask_guardian_consent(minor.pk)

    (message,) = mail.outbox
    for name in ("Moussa", "Traoré", "Parent Exemple", "Exemple"):
        assert name not in message.subject


def test_an_address_with_an_account_is_never_written_to(minor):
    """The minor's second account, or anyone's: nothing goes out, and no link exists to approve anything."""
    UserFactory(email="moussa.bis@exemple.fr")
    minor.guardian_email = "Moussa.Bis@exemple.fr"
    minor.save()

    notifications.ask_guardian_consent(minor.pk)

    assert mail.outbox == []
    assert not GuardianConsentToken.objects.exists()


@override_settings(GUARDIAN_CONSENT_EMAILS_PER_DAY=2)
def test_the_emails_to_a_parent_are_limited_per_day(minor):
    for _ in range(3):
        notifications.ask_guardian_consent(minor.pk)

    assert len(mail.outbox) == 2


@override_settings(GUARDIAN_CONSENT_EMAILS_PER_DAY=2)
def test_asking_again_past_the_daily_limit_is_refused_with_a_clear_message(client, minor, application):
    client.force_login(minor.user)
    for _ in range(2):
        notifications.ask_guardian_consent(minor.pk)

    response = client.post(reverse("inscriptions:renvoyer_accord"), follow=True)

    assert len(mail.outbox) == 2
    assert "Vous avez déjà demandé cet accord 2 fois aujourd’hui" in response.content.decode()


@override_settings(GUARDIAN_CONSENT_EMAILS_PER_DAY=1)
def test_the_daily_limit_counts_the_last_24_hours_only(minor):
    GuardianConsentToken.objects.issue(minor, now=timezone.now() - datetime.timedelta(hours=25))

    notifications.ask_guardian_consent(minor.pk)

    assert len(mail.outbox) == 1


# --- The profile form -----------------------------------------------------------------------------


def test_a_minor_giving_her_own_email_as_the_guardians_is_refused(client):
    user = UserFactory(email="moussa@exemple.fr")
    client.force_login(user)

    response = client.post(
        reverse("inscriptions:profil"),
        learner_profile_data(
            birth_date=years_ago(17).isoformat(), guardian_name="Moi", guardian_email="MOUSSA@exemple.fr"
        ),
    )

    errors = response.context["form"].errors
    assert (
        "Donnez l’adresse d’un parent ou d’un tuteur, pas la vôtre : c’est à lui ou elle que nous écrivons."
        in errors["guardian_email"]
    )
    assert not Learner.objects.filter(user=user).exists()


def test_the_form_says_nothing_about_a_strangers_address(client):
    """Refusing an address because it has an account would tell the minor who has one: it is taken, never used."""
    UserFactory(email="quelquun@exemple.fr")
    client.force_login(UserFactory())

    response = client.post(
        reverse("inscriptions:profil"),
        learner_profile_data(
            birth_date=years_ago(17).isoformat(), guardian_name="Parent", guardian_email="quelquun@exemple.fr"
        ),
    )

    assert response.status_code == 302
    assert mail.outbox == []


def test_deleting_the_account_deletes_the_links(minor, token):
    from inscriptions.services import erase_learner

    erase_learner(minor)

    assert not GuardianConsentToken.objects.exists()
