"""The task worker outlives its database connection: cut by PostgreSQL (a restart, as the worker sees it), it
connects again and runs the next task."""

import contextlib
import os
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from psycopg.types.json import Jsonb

from tests.home.worker_helpers import DATABASE_TASKS, echo
from tests.private_postgres import PrivateCluster, wait_until

WORKER_NAME = "tremplin-test-worker"


def database_url():
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}"


@contextlib.contextmanager
def running_worker(url):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "tests.process_settings",
        "DATABASE_URL": url,
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
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


@pytest.fixture
def worker():
    with running_worker(database_url()) as process:
        yield process


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


def enqueue_in(database, value):
    """A task queued straight into the cluster's table, as `echo.enqueue` would write it."""
    task_id = uuid.uuid4()
    database.execute(
        "INSERT INTO django_tasks_database_dbtaskresult (id, status, enqueued_at, args_kwargs, priority, task_path,"
        " worker_ids, queue_name, backend_name, run_after, exception_class_path, traceback)"
        " VALUES (%s, 'READY', now(), %s, 0, %s, '[]', 'default', 'default', now(), '', '')",
        [task_id, Jsonb({"args": [value], "kwargs": {}}), echo.module_path],
    )
    return task_id


def succeeded(cluster, task_id):
    try:
        with psycopg.connect(cluster.url.replace("postgres://", "postgresql://"), autocommit=True) as database:
            status = database.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", [task_id]
            ).fetchone()
    except psycopg.OperationalError:
        return False
    return status == ("SUCCESSFUL",)


@pytest.mark.postgres
@pytest.mark.xdist_group("database_restart")
@pytest.mark.django_db(transaction=True)
def test_the_worker_waits_out_a_restart_of_the_database():
    """Stopped for a few seconds, the database refuses every connection: the worker waits, then carries on."""
    cluster = PrivateCluster()
    try:
        cluster.start().copy_database(connection.settings_dict)
        url = cluster.url.replace("postgres://", "postgresql://")
        with running_worker(cluster.url) as process:
            with psycopg.connect(url, autocommit=True) as database:
                before = enqueue_in(database, "avant")
            assert wait_until(lambda: succeeded(cluster, before), timeout=30), "the worker never started"

            cluster.pg_ctl("stop", "-m", "fast")
            time.sleep(3)  # the worker polls a refused database meanwhile
            cluster.pg_ctl("start")

            with psycopg.connect(url, autocommit=True) as database:
                after = enqueue_in(database, "après")
            assert wait_until(lambda: succeeded(cluster, after), timeout=40), process.poll() is not None and (
                process.stdout.read()
            )
            assert process.poll() is None
    finally:
        cluster.stop()
