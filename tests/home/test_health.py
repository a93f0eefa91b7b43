"""/healthz/: a load balancer learns whether this server can serve, and nothing else."""

import json

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client

from home import health
from tests.campus.factories import UserFactory


def test_a_healthy_server_answers_ok_for_each_part(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
    }


def test_the_probe_opens_no_session_and_sets_no_cookie(client):
    response = client.get("/healthz/")

    assert not response.cookies
    assert "Set-Cookie" not in response
    assert response["Cache-Control"] == "no-store"


def test_a_logged_in_person_gets_the_same_answer_and_no_name(client):
    user = UserFactory(first_name="Nadia", last_name="Belkacem", email="nadia@exemple.fr")
    client.force_login(user)

    body = client.get("/healthz/").content.decode()

    assert body == json.dumps({"status": "ok", "checks": {"database": "ok", "cache": "ok", "storage": "ok"}})
    assert "Nadia" not in body and "nadia@" not in body


def test_a_probe_by_address_over_plain_http_is_answered(settings):
    # The load balancer knows the server by its address, not by the site's name, and does not speak HTTPS to it.
    settings.ALLOWED_HOSTS = ["tremplin.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = Client(HTTP_HOST="10.0.0.7:8000").get("/healthz/")

    assert response.status_code == 200


@pytest.mark.parametrize("part", ["database", "cache", "storage"])
def test_a_failing_part_gives_503_and_is_named(client, monkeypatch, part):
    def broken():
        raise ConnectionError("connection refused to 10.0.0.9")

    monkeypatch.setitem(health.CHECKS, part, broken)

    response = client.get("/healthz/")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["checks"][part] == "error"
    assert [name for name, result in body["checks"].items() if result == "error"] == [part]
    # The reason goes to the server's log, not to whoever asks.
    assert "10.0.0.9" not in response.content.decode()


def test_an_unreachable_cache_is_named(client, settings):
    # Nothing listens on port 1: the shared cache is down.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }

    response = client.get("/healthz/")

    assert response.status_code == 503
    assert json.loads(response.content)["checks"] == {"database": "ok", "cache": "error", "storage": "ok"}


def test_a_storage_folder_that_cannot_be_made_is_named(tmp_path):
    # A file where the folder should be (a wrong mount, say): nothing could be uploaded there.
    (tmp_path / "prive").write_text("")
    storage = FileSystemStorage(location=tmp_path / "prive" / "cv")

    with pytest.raises(NotADirectoryError):
        health.storage_is_reachable(storage)


def test_a_storage_folder_not_made_yet_is_fine_while_its_parent_is_writable(tmp_path):
    health.storage_is_reachable(FileSystemStorage(location=tmp_path / "pas-encore" / "cv"))
