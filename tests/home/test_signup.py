"""Signing up with an address that has an account and with a new one do the same work, so the time an answer
takes does not tell whether someone has an account."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks import default_task_backend

from tests.campus.factories import UserFactory

PASSWORD = "une-phrase-de-passe-2026"
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def sign_up(email):
    """What a signup costs, from a fresh browser: the e-mails it leaves for the background worker and the
    passwords it hashes."""
    client = Client()
    default_task_backend.clear()
    encode = MD5PasswordHasher.encode
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=encode) as hashing:
        response = client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD})
    queued = [result.task.name for result in default_task_backend.results]
    return response, queued, hashing.call_count


@override_settings(TASKS=QUEUED_ONLY)
def test_a_known_address_and_a_new_one_do_the_same_work():
    UserFactory(email="deja@exemple.fr")

    known, known_queued, known_hashes = sign_up("deja@exemple.fr")
    new, new_queued, new_hashes = sign_up("nouvelle@exemple.fr")

    assert known.status_code == new.status_code == 302
    assert known.url == new.url
    assert known_queued == new_queued == ["send_account_email"]
    assert known_hashes == new_hashes == 1
    # Nothing goes out while the person waits for the page: the worker sends it.
    assert mail.outbox == []


def test_the_worker_sends_each_its_email():
    UserFactory(email="deja@exemple.fr")

    for email in ("deja@exemple.fr", "nouvelle@exemple.fr"):
        Client().post(reverse("account_signup"), {"email": email, "password1": PASSWORD})

    assert [message.to for message in mail.outbox] == [["deja@exemple.fr"], ["nouvelle@exemple.fr"]]
    assert all(message.subject.startswith("[Tremplin]") for message in mail.outbox)
