"""Two web servers behind one load balancer see one truth: the same sessions, login limits, pages and files.

Two gunicorn servers run the production settings against this test's PostgreSQL database, the Redis on loopback
and an S3 server (moto); a person's cookies go from one to the other as a load balancer would send her requests.
"""

import contextlib
import dataclasses
import json
import os
import secrets
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from inscriptions.enums import Availability
from inscriptions.models import Application
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import LearnerFactory
from tests.inscriptions.pdfs import pdf
from tests.servers import (
    BIN,
    REDIS_URL,
    flush_prefix,
    free_port,
    make_buckets,
    read_log,
    s3_environment,
    stop,
    wait_until_answers,
    worker_prefix,
)

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("two_servers"), pytest.mark.django_db(transaction=True)]

PASSWORD = "une-phrase-de-passe-2026"
PDF = pdf()
TIMEOUT = 20  # seconds, for any one request


@dataclasses.dataclass
class Servers:
    a: str
    b: str
    logs: Path
    cache_prefix: str

    def __iter__(self):
        return iter((self.a, self.b))

    def log(self, name):
        return read_log(self.logs / f"gunicorn-{name}.log")


def database_url():
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def servers(django_db_setup, s3_endpoint, tmp_path_factory):
    """Servers A and B: two gunicorns on two free loopback ports, reading what docs/deploy.md sets, pointed at this
    test database, Redis keys of their own and new buckets. Stopped by their PID at the end."""
    folder = tmp_path_factory.mktemp("two-servers")
    prefix = worker_prefix()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        # No TLS between the test and the servers: the proxy would do it.
        "SECURE_SSL_REDIRECT": "false",
        "TASKS_BACKEND": "immediate",
        "STATIC_ROOT": str(folder / "static"),
        "WEB_CONCURRENCY": "2",
        **s3_environment(s3_endpoint, *make_buckets(s3_endpoint)),
    }
    collected = subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--no-input"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert collected.returncode == 0, collected.stderr
    started, origins = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = folder / f"gunicorn-{name}.log"
            with log.open("w") as out:
                process = subprocess.Popen(
                    [str(BIN / "gunicorn"), "config.wsgi", "--config", "gunicorn.conf.py"],
                    env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    cwd=settings.BASE_DIR,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(process)
            origins.append(f"http://127.0.0.1:{port}")
            wait_until_answers(f"{origins[-1]}/healthz/", process, timeout=60, log=log)
        yield Servers(*origins, folder, prefix)
    finally:
        for process in started:
            stop(process)
        flush_prefix(prefix)


class Browser:
    """One person's browser: her cookies follow her whichever server the load balancer picks."""

    def __init__(self):
        self.cookies = {}

    def request(self, method, url, data=None, files=None):
        if method == "POST":
            # Django accepts the CSRF cookie's secret as the form's token.
            data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **(data or {})}
        response = requests.request(
            method, url, data=data, files=files, cookies=self.cookies, allow_redirects=False, timeout=TIMEOUT
        )
        # The production cookies are `Secure`: a browser behind HTTPS would send them; copied by hand over HTTP.
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, url):
        return self.request("GET", url)

    def post(self, url, data=None, files=None):
        return self.request("POST", url, data, files)

    def log_in(self, origin, email, password=PASSWORD):
        self.get(f"{origin}/comptes/login/")
        return self.post(f"{origin}/comptes/login/", {"login": email, "password": password})


def redis_keys(pattern):
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        return list(client.scan_iter(match=pattern, count=500))
    finally:
        client.close()


def verified(user):
    """A person who can log in on the servers: e-mail verified, and a password hashed the way production reads
    (the tests' own fast hasher is not one of production's)."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def campus():
    return CampusPageFactory()


@pytest.fixture
def staff(campus):
    return verified(UserFactory(staff_of=campus, password=PASSWORD))


def test_both_servers_are_healthy(servers):
    for origin in servers:
        response = requests.get(f"{origin}/healthz/", timeout=TIMEOUT)
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "storage": "ok"}}
        assert not response.cookies


def test_a_learner_logs_in_on_one_server_and_applies_with_her_cv_on_the_other(servers, campus, staff):
    server_a, server_b = servers
    session = SessionFactory(formation=FormationPageFactory(parent=campus))
    learner = LearnerFactory(user__password=PASSWORD)
    verified(learner.user)
    browser = Browser()

    assert browser.log_in(server_a, learner.user.email).status_code == 302
    # Her session, opened on A, is read by B from Redis.
    assert redis_keys(f"{servers.cache_prefix}:*{browser.cookies['sessionid']}")
    assert browser.get(f"{server_b}/mon-espace/").status_code == 200
    apply_url = f"{server_b}/inscriptions/sessions/{session.pk}/postuler/"
    assert browser.get(apply_url).status_code == 200
    response = browser.post(
        apply_url,
        {"motivation": "Je veux apprendre le développement web.", "availability": Availability.FULL},
        files={"cv": ("cv.pdf", PDF, "application/pdf")},
    )

    assert response.status_code == 302, response.text[:2000] + servers.log("b")
    application = Application.objects.get(learner=learner)
    # Her CV, sent to B, is read by the campus's team on A: a one-minute signed link to the private bucket.
    team = Browser()
    assert team.log_in(server_b, staff.email).status_code == 302
    download = team.get(f"{server_a}/admin/candidatures/{application.pk}/cv/")
    assert download.status_code == 302
    assert "X-Amz-Expires=60" in download.headers["Location"]
    assert requests.get(download.headers["Location"], timeout=TIMEOUT).content == PDF


def test_a_page_published_on_one_server_is_served_by_the_other(servers, campus, staff):
    server_a, server_b = servers
    draft = FormationPageFactory(parent=campus, draft=True, title="Développeuse web, nouvelle session")
    path = draft.get_url_parts()[2]
    assert requests.get(f"{server_b}{path}", timeout=TIMEOUT).status_code == 404
    team = Browser()
    assert team.log_in(server_b, staff.email).status_code == 302

    response = team.post(f"{server_a}/admin/bulk/wagtailcore/page/publish/?id={draft.pk}&next=/admin/")

    assert response.status_code == 302
    page = requests.get(f"{server_b}{path}", timeout=TIMEOUT)
    assert page.status_code == 200
    assert "Développeuse web, nouvelle session" in page.text


def test_failed_logins_on_one_server_lock_the_account_on_the_other(servers):
    server_a, server_b = servers
    person = verified(UserFactory(password=PASSWORD, email=f"{uuid.uuid4().hex[:8]}@exemple.fr"))
    guesser = Browser()
    for _ in range(5):
        assert guesser.log_in(server_a, person.email, password="pas-le-bon").status_code == 200

    response = Browser().log_in(server_b, person.email)

    assert response.status_code != 302
    assert "Trop de tentatives de connexion" in response.text


def test_the_servers_log_json_lines_with_the_request_id(servers):
    server_a, _server_b = servers
    request_id = "req-" + uuid.uuid4().hex

    response = requests.get(f"{server_a}/formations/", headers={"X-Request-ID": request_id}, timeout=TIMEOUT)

    assert response.headers["X-Request-ID"] == request_id
    # gunicorn writes the access line once the response is sent: it may land a moment after the test reads it.
    deadline = time.monotonic() + 10
    while not (records := json_records(servers.logs / "gunicorn-a.log", request_id)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert records, servers.log("a")
    access = [record for record in records if record["logger"] == "gunicorn.access"]
    assert access[0]["path"] == "/formations/" and access[0]["status"] == 200


def json_records(log, request_id):
    records = []
    for line in log.read_text().splitlines():
        with contextlib.suppress(ValueError):
            records.append(json.loads(line))
    return [record for record in records if record.get("request_id") == request_id and record.get("path")]
