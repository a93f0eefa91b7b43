"""Running the task worker inside a test, and tasks for it to run."""

from unittest import mock

from django_tasks import task
from django_tasks_db.management.commands import db_worker

from home.task_retries import retried
from home.task_worker import ResilientWorker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """What `manage.py db_worker --batch` does: run every task that is due, then stop.

    Inside the test's transaction, the worker must not drop its connection between tasks as it does for real: the
    transaction would go with it."""
    with mock.patch.object(db_worker, "close_old_connections"):
        ResilientWorker(
            queue_names=["default"],
            excluded_queue_names=[],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
        ).run()


class Flaky(Exception):
    pass


@retried(attempts=3)
@task()
def fails_always(label):
    raise Flaky(f"{label} failed")


@task()
def fails_once_and_for_all(label):
    raise Flaky(f"{label} failed")


@task()
def echo(value):
    return value
