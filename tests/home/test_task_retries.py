"""A failed background task is tried again later, then listed for the superusers, who can run it once more."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from home.task_retries import failed_tasks
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.home.worker_helpers import DATABASE_TASKS, echo, fails_always, fails_once_and_for_all, run_worker

pytestmark = pytest.mark.usefixtures("database_tasks")


@pytest.fixture
def database_tasks():
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def time_passes():
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def test_a_failed_task_goes_back_to_the_queue_for_later_with_its_error():
    before = timezone.now()
    fails_always.enqueue("relance")
    run_worker()
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.READY
    assert len(row.worker_ids) == 1
    assert "relance failed" in row.traceback
    assert row.run_after >= before + datetime.timedelta(minutes=1)
    assert not failed_tasks().exists()


def test_each_wait_is_twice_the_one_before():
    fails_always.enqueue("relance")
    waits = []
    for _attempt in range(2):
        started = timezone.now()
        run_worker()
        waits.append(DBTaskResult.objects.get().run_after - started)
        time_passes()
    assert waits[0] >= datetime.timedelta(minutes=1)
    assert datetime.timedelta(minutes=2) <= waits[1] < datetime.timedelta(minutes=3)


def test_once_its_attempts_are_spent_the_task_stays_failed_and_is_listed():
    fails_always.enqueue("relance")
    for _attempt in range(3):
        run_worker()
        time_passes()
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 3
    assert list(failed_tasks()) == [row]


def test_a_task_not_marked_for_retries_fails_at_once():
    fails_once_and_for_all.enqueue("export")
    run_worker()
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED


def test_a_task_that_succeeds_is_not_listed():
    echo.enqueue("bonjour")
    run_worker()
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    assert not failed_tasks().exists()


# --- « Tâches en échec » in the admin -------------------------------------------------------------


@pytest.fixture
def failed_task():
    fails_once_and_for_all.enqueue("export")
    run_worker()
    return DBTaskResult.objects.get()


def test_superusers_read_the_failed_tasks_with_their_error(client, failed_task):
    client.force_login(UserFactory(superuser=True))
    response = client.get("/admin/taches-en-echec/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "fails_once_and_for_all" in content
    assert "tests.home.worker_helpers.Flaky" in content
    assert "export failed" in content


def test_the_menu_shows_the_failed_tasks_to_superusers_only(client):
    client.force_login(UserFactory(superuser=True))
    assert "/admin/taches-en-echec/" in client.get("/admin/").content.decode()
    client.force_login(UserFactory(staff_of=CampusPageFactory()))
    assert "/admin/taches-en-echec/" not in client.get("/admin/").content.decode()


def test_retrying_puts_the_task_back_in_the_queue_for_one_more_attempt(client, failed_task):
    client.force_login(UserFactory(superuser=True))
    response = client.post(f"/admin/taches-en-echec/{failed_task.pk}/reessayer/")
    assert response.status_code == 302
    failed_task.refresh_from_db()
    assert failed_task.status == TaskResultStatus.READY
    assert failed_task.run_after <= timezone.now()
    run_worker()
    failed_task.refresh_from_db()
    assert failed_task.status == TaskResultStatus.FAILED
    assert len(failed_task.worker_ids) == 2


def test_a_campus_team_can_neither_list_nor_retry(client, failed_task):
    client.force_login(UserFactory(staff_of=CampusPageFactory()))
    # Wagtail's answer to a missing permission: back to the admin's home.
    assert client.get("/admin/taches-en-echec/").url == "/admin/"
    assert client.post(f"/admin/taches-en-echec/{failed_task.pk}/reessayer/").url == "/admin/"
    failed_task.refresh_from_db()
    assert failed_task.status == TaskResultStatus.FAILED


# --- The worker and a database that goes away ------------------------------------------------------


def test_a_task_whose_outcome_could_not_be_written_is_written_once_the_database_is_back(monkeypatch):
    """The database went away as the task ended: the worker waits, then writes it, and it is retried."""
    from django.db import OperationalError

    from home import task_worker

    fails_always.enqueue("relance")
    save = DBTaskResult.save
    refusals = iter(range(7))  # the library tries each write three times: the success, then the failure, then once

    def lost_for_a_while(self, *args, **kwargs):
        if self.status != TaskResultStatus.RUNNING and next(refusals, None) is not None:
            raise OperationalError("server closed the connection unexpectedly")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(DBTaskResult, "save", lost_for_a_while)
    monkeypatch.setattr(task_worker.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(task_worker.connections, "close_all", lambda: None)  # the test's own transaction stays
    run_worker()

    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.READY  # failed on its first attempt, queued for the second
    assert len(row.worker_ids) == 1
    assert "relance failed" in row.traceback


def test_e_mail_tasks_are_retried_money_and_files_are_not():
    from financeurs.tasks import run_export_job
    from home.mail import deliver_email
    from home.task_retries import policy_of
    from home.tasks import send_account_email
    from inscriptions import notifications
    from inscriptions.refunds import send_owed_refund
    from transferts.tasks import write_import

    retried = [deliver_email, send_account_email, notifications.notify_status_change]
    assert all(policy_of(task.module_path) for task in retried)
    # A refund keeps its own attempts and back-off (inscriptions/refunds.py); an import or an export keeps its own
    # state: a person decides to run them again.
    assert not any(policy_of(task.module_path) for task in [send_owed_refund, run_export_job, write_import])
