import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.campus.factories import UserFactory

PASSWORD = "une-phrase-de-passe-2026"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts attempts in the cache, which outlives each test's database transaction.
    cache.clear()


def code_in(message):
    """The one-time code allauth puts on a line of its own."""
    return re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]+)?)\s*$", message.body, re.MULTILINE).group(1)


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_signup_sends_a_code_and_lands_on_the_learner_space_once_verified(client):
    response = client.post(reverse("account_signup"), {"email": "awa@exemple.fr", "password1": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["awa@exemple.fr"]
    assert mail.outbox[0].subject.startswith("[Tremplin]")

    page = client.get(response.url)
    assert "Vérifiez votre adresse e-mail" in page.content.decode()

    response = client.post(reverse("account_email_verification_sent"), {"code": code_in(mail.outbox[0])})

    assert response.status_code == 302
    assert response.url == reverse("inscriptions:espace")
    assert is_logged_in(client)
    user = get_user_model().objects.get(email="awa@exemple.fr")
    assert user.emailaddress_set.get().verified


def test_signup_keeps_next_so_the_applicant_comes_back_to_the_form(client):
    next_url = "/inscriptions/sessions/1/postuler/"
    client.post(f"{reverse('account_signup')}?next={next_url}", {"email": "awa@exemple.fr", "password1": PASSWORD})

    response = client.post(reverse("account_email_verification_sent"), {"code": code_in(mail.outbox[0])})

    assert response.url == next_url


def test_wrong_verification_code_is_refused_in_french(client):
    client.post(reverse("account_signup"), {"email": "awa@exemple.fr", "password1": PASSWORD})

    response = client.post(reverse("account_email_verification_sent"), {"code": "ZZZZZZ"})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="alert"' in content
    assert 'aria-invalid="true"' in content
    assert not is_logged_in(client)


@pytest.fixture
def verified_user():
    user = UserFactory(email="awa@exemple.fr", password=PASSWORD)
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    return user


def test_login_with_password_lands_on_the_learner_space(client, verified_user):
    response = client.post(reverse("account_login"), {"login": verified_user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("inscriptions:espace")


def test_wrong_password_shows_an_error_summary(client, verified_user):
    response = client.post(reverse("account_login"), {"login": verified_user.email, "password": "faux"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not is_logged_in(client)


def test_login_by_email_code(client, verified_user):
    response = client.post(reverse("account_request_login_code"), {"email": verified_user.email})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_confirm_login_code"))
    assert mail.outbox[-1].to == [verified_user.email]

    response = client.post(reverse("account_confirm_login_code"), {"code": code_in(mail.outbox[-1])})

    assert response.status_code == 302
    assert response.url == reverse("inscriptions:espace")
    assert is_logged_in(client)


def test_password_reset_by_code(client, verified_user):
    response = client.post(reverse("account_reset_password"), {"email": verified_user.email})
    assert response.status_code == 302

    response = client.post(reverse("account_confirm_password_reset_code"), {"code": code_in(mail.outbox[-1])})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert page.count("<h1>") == 1
    assert "Nouveau mot de passe" in page or "Modifier le mot de passe" in page

    response = client.post(
        response.url, {"password1": "un-autre-mot-de-passe-2026", "password2": "un-autre-mot-de-passe-2026"}
    )
    assert response.status_code == 302

    verified_user.refresh_from_db()
    assert verified_user.check_password("un-autre-mot-de-passe-2026")


def test_login_page_offers_signup_keeping_next(client):
    response = client.get(f"{reverse('account_login')}?next=/inscriptions/sessions/7/postuler/")

    content = response.content.decode()
    assert "Créer un compte" in content
    assert f"{reverse('account_signup')}?next=%2Finscriptions%2Fsessions%2F7%2Fpostuler%2F" in content


def test_logout_is_a_post_form_in_the_header(client, verified_user):
    client.force_login(verified_user)

    content = client.get(reverse("inscriptions:espace")).content.decode()

    assert re.search(rf'<form[^>]*method="post"[^>]*action="{reverse("account_logout")}"', content)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not is_logged_in(client)


ACCOUNT_PAGES = [
    "account_signup",
    "account_login",
    "account_request_login_code",
    "account_reset_password",
]


@pytest.mark.parametrize("url_name", ACCOUNT_PAGES)
def test_account_pages_are_french_without_inline_script_or_style(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "<script" not in content
    assert "style=" not in content
    assert "<style" not in content
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for english in ("Sign In", "Sign Up", "Password Reset", "Forgot your password"):
        assert english not in content


def test_code_pages_render_in_french(client, verified_user):
    client.post(reverse("account_request_login_code"), {"email": verified_user.email})

    response = client.get(reverse("account_confirm_login_code"))

    content = response.content.decode()
    assert "Recopiez le code de connexion" in content
    assert "<script" not in content
    assert 'autocomplete="one-time-code"' in content
