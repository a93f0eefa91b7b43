"""The task worker outlives its database connection: cut by PostgreSQL (a restart, as the worker sees it), it
connects again and runs the next task."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.home.worker_helpers import DATABASE_TASKS, echo

WORKER_NAME = "tremplin-test-worker"


def database_url():
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}"


@pytest.fixture
def worker():
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "tests.process_settings",
        "DATABASE_URL": database_url(),
        # A connection kept between tasks, as a busy production worker keeps it: the one PostgreSQL cuts.
        "DATABASE_CONN_MAX_AGE": "600",
        "PROCESS_NAME": WORKER_NAME,
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()


def wait_for_success(result, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if DBTaskResult.objects.filter(pk=result.id, status=TaskResultStatus.SUCCESSFUL).exists():
            return True
        time.sleep(0.2)
    return False


def cut_worker_connections():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [WORKER_NAME]
        )
        return cursor.rowcount


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_next_task_after_its_connection_is_cut(worker, settings):
    settings.TASKS = DATABASE_TASKS
    assert wait_for_success(echo.enqueue("avant")), "the worker never started"

    assert cut_worker_connections() == 1

    after = echo.enqueue("après")
    assert wait_for_success(after), worker.poll() is not None and worker.stdout.read()
    assert worker.poll() is None
