"""Login limits and sessions in the Redis every server shares (the real one, on loopback)."""

import pytest
import redis
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from tests.campus.factories import UserFactory
from tests.servers import REDIS_URL

pytestmark = pytest.mark.postgres

PASSWORD = "une-phrase-de-passe-2026"


@pytest.fixture
def person():
    user = UserFactory(password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def keys_under(prefix):
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        return [key.decode() for key in client.scan_iter(match=f"{prefix}*", count=500)]
    finally:
        client.close()


def test_failed_logins_are_counted_in_redis_and_lock_the_account_for_every_process(shared_cache, person):
    for _ in range(5):
        log_in(Client(), person, password="pas-le-bon")

    assert any("rl:" in key or "ratelimit" in key or "login_failed" in key for key in keys_under(shared_cache))
    # Another process (here: a new client, nothing shared but Redis) is refused the right password.
    other_process = Client()
    response = log_in(other_process, person)
    assert "_auth_user_id" not in other_process.session
    assert "Trop de tentatives de connexion" in response.content.decode()


def test_erasing_an_account_also_ends_its_sessions_kept_in_redis(settings, shared_cache):
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import caches

    from inscriptions.services import erase_learner
    from tests.inscriptions.factories import LearnerFactory

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    learner = LearnerFactory()
    phone = Client()
    phone.force_login(learner.user)
    session_key = phone.cookies["sessionid"].value
    assert caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + session_key) is not None

    erase_learner(learner)

    # Not in the database, and not in the copy every server reads first either.
    assert caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + session_key) is None
    replay = Client()
    replay.cookies["sessionid"] = session_key
    assert "_auth_user_id" not in replay.session
