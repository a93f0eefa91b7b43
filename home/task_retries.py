"""Background tasks that try again: a failed run goes back in the queue later, then shows in « Tâches en échec ».

django-tasks records a failure and stops there. A task marked `retried` gets more attempts: when a run fails on
the worker (`manage.py db_worker`), its row goes back to the queue with a later start, each wait twice the one
before. The row keeps the last error, and its attempts are the workers that claimed it. Once the attempts are
spent, it stays failed, listed for the superusers, who can run it again (one more attempt each time).

Only tasks safe to run twice are marked: an e-mail that left just before the server lost the answer may go twice,
with the same Message-ID, which mail clients treat as one.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    first_delay: datetime.timedelta
    max_delay: datetime.timedelta

    def delay_after(self, attempt):
        """The wait before the attempt that follows `attempt` (1 for the first run): 1, 2, 4… times the first."""
        return min(self.first_delay * 2 ** (attempt - 1), self.max_delay)


# Task path → its policy, filled by `retried` when the task modules load.
POLICIES = {}


def retried(attempts=8, first_delay=datetime.timedelta(minutes=1), max_delay=datetime.timedelta(hours=1)):
    """Put on top of @task(): 8 attempts spread over about two hours by default."""

    def register(task):
        POLICIES[task.module_path] = RetryPolicy(attempts=attempts, first_delay=first_delay, max_delay=max_delay)
        return task

    return register


def policy_of(task_path):
    return POLICIES.get(task_path)


def schedule_retry(db_result, now=None):
    """Back to the queue if attempts are left; returns when it will run, or None when it stays failed."""
    policy = policy_of(db_result.task_path)
    attempts = len(db_result.worker_ids)
    if policy is None or attempts >= policy.attempts:
        return None
    run_after = (now or timezone.now()) + policy.delay_after(attempts)
    # Only a row still failed: a superuser's « réessayer » in between wins.
    DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=run_after, finished_at=None
    )
    return run_after


def on_task_finished(sender, task_result, **kwargs):
    """Receiver of django_tasks' task_finished: a failed run of a retried task is queued again."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or task_result.status != TaskResultStatus.FAILED:
        return  # the immediate backend (development, tests) has no queue to go back to
    try:
        run_after = schedule_retry(db_result)
    except Exception:
        # The worker must live on: the task simply stays failed, listed for the superusers.
        logger.exception("Task %s could not be queued again", db_result.pk)
        return
    if run_after is not None:
        logger.warning(
            "Task %s (%s) failed on attempt %d, next attempt at %s",
            db_result.pk,
            db_result.task_path,
            len(db_result.worker_ids),
            run_after.isoformat(),
        )


def failed_tasks():
    """What the superusers see: tasks whose attempts are all spent, newest first."""
    return DBTaskResult.objects.failed().order_by("-finished_at")


def retry_now(db_result):
    """A superuser's « réessayer »: one more attempt, as soon as a worker is free. False if it is no longer failed."""
    with transaction.atomic():
        updated = DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY, run_after=timezone.now(), finished_at=None
        )
    return bool(updated)
