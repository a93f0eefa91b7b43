"""PostgreSQL restarts in the middle of 400 applications: no server error, and no young person is told that an
application failed when it was saved. Each answer is one of three: sent (it is saved), "nothing was saved, try
again" (it is not), or "unavailable, try again" (unknown); sent again with the same form, each lands on one
application.

The database is a cluster of the test's own (tests/private_postgres.py), served by gunicorn as in production."""

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from inscriptions.enums import Availability
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import LearnerFactory
from tests.private_postgres import PrivateCluster, wait_until
from tests.servers import free_port

LEARNERS, SESSIONS = 100, 4  # 400 applications: each learner applies once to each session
CSRF_SECRET = "a" * 32  # Django accepts the cookie's own secret as the form's token
SENT = re.compile(re.escape(reverse("inscriptions:postuler_envoye", args=[999])).replace("999", r"(\d+)") + "$")
NOT_SAVED = "Nous n’avons pas pu enregistrer votre candidature"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


@pytest.fixture
def cluster():
    cluster = PrivateCluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def web_server(cluster):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "tests.process_settings",
        "DATABASE_URL": cluster.url,
        "PROCESS_NAME": "tremplin-test-web",
    }
    server = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "3", "-t", "60"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def world():
    """The learners, logged in, and the sessions they apply to: built in the test database, then copied."""
    sessions = [SessionFactory() for _ in range(SESSIONS)]
    learners = []
    for _ in range(LEARNERS):
        learner = LearnerFactory()
        client = Client()  # one each: logging another user in on the same client would end the first one's session
        client.force_login(learner.user)
        learners.append((learner.pk, client.cookies[settings.SESSION_COOKIE_NAME].value))
    return learners, [session.pk for session in sessions]


def post(base_url, session_pk, cookie, key):
    body = urllib.parse.urlencode(
        {
            "motivation": "J’aime réparer les ordinateurs de ma famille.",
            "availability": Availability.FULL,
            "submission_key": key,
            "csrfmiddlewaretoken": CSRF_SECRET,
        }
    ).encode()
    request = urllib.request.Request(
        base_url + reverse("inscriptions:postuler", args=[session_pk]),
        data=body,
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={CSRF_SECRET}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with OPENER.open(request, timeout=60) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", ""), error.read().decode()


def saved_applications(cluster):
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as database:
        rows = database.execute("SELECT submission_key, id FROM inscriptions_application").fetchall()
    return {str(key): pk for key, pk in rows}


@pytest.mark.postgres
@pytest.mark.xdist_group("database_restart")
@pytest.mark.django_db(transaction=True)
def test_a_database_restart_during_400_applications_never_lies(cluster, web_server):
    learners, sessions = world()
    cluster.copy_database(connection.settings_dict)
    assert wait_until(lambda: ready(web_server), timeout=60), "gunicorn did not start"

    submissions = [
        (session_pk, learner_pk, cookie, str(uuid.uuid4()))
        for learner_pk, cookie in learners
        for session_pk in sessions
    ]
    answered = []
    halfway = threading.Event()

    def submit(submission):
        session_pk, _learner_pk, cookie, key = submission
        answer = post(web_server, session_pk, cookie, key)
        answered.append((submission, answer))
        if len(answered) >= len(submissions) // 4:
            halfway.set()
        return submission, answer

    def restart_in_the_middle():
        halfway.wait(timeout=60)
        started = time.monotonic()
        cluster.restart()
        return started

    with ThreadPoolExecutor(max_workers=9) as pool:
        restart = pool.submit(restart_in_the_middle)
        answers = list(pool.map(submit, submissions))
        restart.result()

    statuses = [status for _submission, (status, _location, _page) in answers]
    assert 500 not in statuses, f"server errors: {statuses.count(500)}"
    assert set(statuses) <= {302, 503}, set(statuses)
    assert statuses.count(503) > 0, "the restart disturbed nothing: the test proves nothing"

    saved = saved_applications(cluster)
    for (_session_pk, _learner_pk, _cookie, key), (status, location, page) in answers:
        if status == 302:
            assert SENT.search(location), location  # « envoyée »: it is saved, and it is the one shown
            assert int(SENT.search(location).group(1)) == saved[key]
        elif NOT_SAVED in page:  # « rien n'est enregistré »: true
            assert key not in saved

    # Sent again with the same form, every one lands on its one application.
    retried = [(submission, answer) for submission, answer in answers if answer[0] != 302]
    for (session_pk, _learner_pk, cookie, key), _answer in retried:
        status, location, _page = post(web_server, session_pk, cookie, key)
        assert status == 302
        assert int(SENT.search(location).group(1)) == saved_applications(cluster)[key]
    assert len(saved_applications(cluster)) == len(submissions)


def ready(base_url):
    try:
        with OPENER.open(base_url + "/confidentialite/", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False
