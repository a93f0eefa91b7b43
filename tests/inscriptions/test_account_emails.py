"""Account e-mails (allauth) speak to the person: their first name when Tremplin knows it, never a username they
did not choose, and a six-digit code, as docs/inscriptions.md says, that works when typed back."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.campus.factories import UserFactory
from tests.inscriptions.factories import LearnerFactory

PASSWORD = "une-phrase-de-passe-2026"
CODE_LENGTH = 6


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def code_in(message):
    """Whatever stands alone on a line and looks like a code, so a code of another length or shape is found too."""
    return re.search(r"^\s*([A-Z0-9-]{4,})\s*$", message.body, re.MULTILINE).group(1)


def assert_speaks_to_a_person(message, *, username):
    assert message.subject.startswith("[Tremplin] ")
    for english in ("Hello", "You're receiving", "user", "Thank you"):
        assert english not in message.body, english
    assert "utilisateur" not in message.body
    assert username not in message.body
    assert username not in message.subject


@pytest.fixture
def ines():
    user = UserFactory(username="ines.benaissa42", email="ines.benaissa@exemple.fr", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    LearnerFactory(user=user, first_name="Inès")
    return user


def test_the_signup_code_greets_plainly_has_six_digits_and_confirms_the_address():
    client = Client()
    response = client.post(reverse("account_signup"), {"email": "ines.benaissa@exemple.fr", "password1": PASSWORD})

    (message,) = mail.outbox
    username = EmailAddress.objects.get(email="ines.benaissa@exemple.fr").user.username
    assert_speaks_to_a_person(message, username=username)
    assert message.subject == "[Tremplin] Votre code pour créer votre compte"
    # Nobody's name is known yet: a neutral greeting, not the address's local part.
    assert message.body.startswith("Bonjour,\n")
    code = code_in(message)
    assert re.fullmatch(r"\d{6}", code), code
    assert len(code) == CODE_LENGTH

    response = client.post(response.url, {"code": code})

    assert response.status_code == 302
    assert response.url == reverse("inscriptions:espace")
    assert EmailAddress.objects.get(email="ines.benaissa@exemple.fr").verified


def test_the_login_code_greets_the_learner_by_first_name_and_logs_her_in(ines):
    client = Client()
    client.post(reverse("account_request_login_code"), {"email": ines.email})

    message = mail.outbox[-1]
    assert_speaks_to_a_person(message, username=ines.username)
    assert message.body.startswith("Bonjour Inès,\n")
    code = code_in(message)
    assert len(code) == CODE_LENGTH and code.isdigit()

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ines.pk)


def test_the_password_reset_code_has_six_digits_and_opens_the_new_password_form(ines):
    client = Client()
    client.post(reverse("account_reset_password"), {"email": ines.email})

    message = mail.outbox[-1]
    assert_speaks_to_a_person(message, username=ines.username)
    assert message.body.startswith("Bonjour Inès,\n")
    code = code_in(message)
    assert len(code) == CODE_LENGTH and code.isdigit()

    response = client.post(reverse("account_confirm_password_reset_code"), {"code": code})

    assert response.status_code == 302
    assert 'name="password1"' in client.get(response.url).content.decode()


def test_staff_are_greeted_by_the_first_name_of_their_account():
    user = UserFactory(username="s.martin", email="samia@campus.example", first_name="Samia")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    Client().post(reverse("account_request_login_code"), {"email": user.email})

    assert mail.outbox[-1].body.startswith("Bonjour Samia,\n")


def test_signing_up_again_tells_the_owner_in_plain_french(ines):
    Client().post(reverse("account_signup"), {"email": ines.email, "password1": PASSWORD})

    (message,) = mail.outbox
    assert_speaks_to_a_person(message, username=ines.username)
    assert message.subject == "[Tremplin] Vous avez déjà un compte Tremplin"
    assert message.body.startswith("Bonjour Inès,\n")
    assert "Mot de passe oublié ?" in message.body


def test_a_code_asked_for_an_unknown_address_says_so_and_offers_to_sign_up():
    Client().post(reverse("account_reset_password"), {"email": "inconnue@exemple.fr"})

    (message,) = mail.outbox
    assert message.subject == "[Tremplin] Aucun compte Tremplin à cette adresse"
    assert message.body.startswith("Bonjour,\n")
    assert reverse("account_signup") in message.body


def test_the_code_field_opens_the_number_pad(ines):
    client = Client()
    client.post(reverse("account_request_login_code"), {"email": ines.email})

    content = client.get(reverse("account_confirm_login_code")).content.decode()

    assert 'inputmode="numeric"' in content
    assert f"Nous avons envoyé un code de {CODE_LENGTH} chiffres" in content
