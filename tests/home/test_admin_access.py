"""One door: everyone logs in at /comptes/login/, and only campus teams and superusers get into /admin/."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.factories import FunderFactory, funder_user
from tests.inscriptions.factories import LearnerFactory

PASSWORD = "une-phrase-de-passe-2026"
ADMIN = "/admin/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts attempts in the cache, which outlives each test's database transaction.
    cache.clear()


def with_email(user, verified=True):
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


@pytest.fixture
def staff():
    return with_email(UserFactory(staff_of=CampusPageFactory(), password=PASSWORD))


@pytest.fixture
def learner():
    return with_email(LearnerFactory(user__password=PASSWORD).user)


@pytest.fixture
def funder():
    return with_email(funder_user(FunderFactory(), password=PASSWORD))


def is_logged_in(client):
    return "_auth_user_id" in client.session


def log_in(client, user, password=PASSWORD, url=None, **extra):
    # Both forms' field names: allauth's `login`, and the `username` of the form the admin used to have.
    data = {"login": user.email, "username": user.get_username(), "password": password}
    return client.post(url or reverse("account_login"), data, **extra)


# --- One login --------------------------------------------------------------------------------


def test_the_admin_login_sends_to_the_one_login_keeping_next(client):
    response = client.get("/admin/login/?next=/admin/pages/")

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/admin/pages/"


def test_an_anonymous_visitor_at_the_admin_is_sent_to_the_one_login(client):
    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/admin/"


@pytest.mark.parametrize("url", ["/admin/login/", "/_util/login/"], ids=["admin", "wagtail-front-end"])
def test_no_other_form_checks_a_password(client, staff, url):
    log_in(client, staff, url=url)

    assert not is_logged_in(client)


def test_the_admin_has_no_password_reset_of_its_own(client):
    assert client.get("/admin/password_reset/").status_code == 404


def test_staff_log_in_at_the_one_login_and_reach_the_admin(client, staff):
    response = client.post(f"{reverse('account_login')}?next={ADMIN}", {"login": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_staff_who_log_in_without_next_land_in_the_admin(client, staff):
    response = log_in(client, staff, url="/admin/login/")
    response = log_in(client, staff, url=response.url)

    assert response.url == ADMIN


def test_a_superuser_reaches_the_admin(client):
    superuser = with_email(UserFactory(superuser=True, password=PASSWORD))

    log_in(client, superuser)

    assert client.get(ADMIN).status_code == 200


# --- Only staff inside -------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["learner", "funder"])
@pytest.mark.parametrize("url", [ADMIN, "/admin/pages/", "/admin/login/?next=/admin/"])
def test_learners_and_funders_are_refused_at_the_admin_whatever_their_password(request, client, person, url):
    user = request.getfixturevalue(person)
    log_in(client, user)
    assert is_logged_in(client)

    response = client.get(url, follow=True)

    assert response.status_code == 403
    content = response.content.decode()
    assert "réservée aux équipes des campus" in content
    assert reverse("account_logout") in content


# --- E-mail verified, or no login ---------------------------------------------------------------


@pytest.mark.parametrize("url", [None, "/admin/login/", "/_util/login/"], ids=["login", "admin", "wagtail"])
def test_an_unverified_email_logs_in_nowhere(client, url):
    staff = with_email(UserFactory(staff_of=CampusPageFactory(), password=PASSWORD), verified=False)

    log_in(client, staff, url=url)

    assert not is_logged_in(client)
    assert client.get(ADMIN).status_code == 302


def test_a_superuser_made_by_createsuperuser_verifies_the_email_at_the_first_login(client):
    call_command("createsuperuser", "--no-input", username="direction", email="direction@exemple.fr")
    superuser = get_user_model().objects.get(username="direction")
    superuser.set_password(PASSWORD)
    superuser.save()

    response = client.post(
        f"{reverse('account_login')}?next={ADMIN}", {"login": superuser.email, "password": PASSWORD}
    )

    assert not is_logged_in(client)
    assert response.url == reverse("account_email_verification_sent")
    code = re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]+)?)\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    response = client.post(response.url, {"code": code})
    assert response.url == ADMIN
    assert client.get(ADMIN).status_code == 200


# --- Rate limits and lock-out -------------------------------------------------------------------


def test_after_failures_through_the_admin_door_the_right_password_is_refused(client, staff):
    door = client.get("/admin/login/", follow=True).request["PATH_INFO"]
    for _ in range(5):
        log_in(client, staff, password="pas-le-bon", url=door)

    response = log_in(client, staff, url=door)

    assert not is_logged_in(client)
    assert "Trop de tentatives de connexion" in response.content.decode()


def test_an_account_locked_at_the_login_stays_locked_at_the_admin(client, staff):
    for _ in range(5):
        log_in(client, staff, password="pas-le-bon")

    log_in(client, staff, url="/admin/login/")
    client.get("/admin/login/", follow=True)
    log_in(client, staff)

    assert not is_logged_in(client)


def test_another_port_in_the_host_header_does_not_reset_the_lock_out(staff):
    # Every server behind the load balancer, and every Host header a guesser writes, counts the same account's
    # failures together: `127.0.0.1:8001` and `127.0.0.1:8002` are the same site.
    guesser = Client()
    for port in range(8001, 8006):
        log_in(guesser, staff, password="pas-le-bon", HTTP_HOST=f"127.0.0.1:{port}")

    response = log_in(guesser, staff, HTTP_HOST="127.0.0.1:8006")

    assert not is_logged_in(guesser)
    assert "Trop de tentatives de connexion" in response.content.decode()


def test_clients_behind_the_proxy_are_counted_apart(settings, staff):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    guesser, colleague = Client(), Client()
    # The proxy appends the address it sees; what the client wrote before it is not believed.
    for attempt in range(10):
        stranger = UserFactory.build(email=f"inconnu{attempt}@exemple.fr")
        log_in(guesser, stranger, password="pas-le-bon", HTTP_X_FORWARDED_FOR=f"10.9.9.{attempt}, 203.0.113.1")

    log_in(guesser, staff, HTTP_X_FORWARDED_FOR="10.8.8.8, 203.0.113.1")
    log_in(colleague, staff, HTTP_X_FORWARDED_FOR="203.0.113.2")

    assert not is_logged_in(guesser)
    assert is_logged_in(colleague)


# --- Logout -------------------------------------------------------------------------------------


def test_admin_logout_by_get_logs_nobody_out(client, staff):
    client.force_login(staff)

    response = client.get("/admin/logout/")

    assert response.status_code in {200, 405}
    assert is_logged_in(client)
    assert client.get(ADMIN).status_code == 200


def test_admin_logout_by_post_ends_the_server_session(client, staff):
    client.force_login(staff)
    old_cookie = client.cookies["sessionid"].value

    response = client.post("/admin/logout/")

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    assert replay.get(ADMIN).status_code == 302
