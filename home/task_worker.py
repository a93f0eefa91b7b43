"""The background worker, made to outlive a database restart.

django-tasks-db's worker stops at the first database error it does not expect: a restart of PostgreSQL, or its
connection cut, and e-mails stop until someone starts it again. This one waits for the database, twice longer each
time up to RECONNECT_MAX_WAIT seconds, and carries on. A task whose outcome could not be written because the
database went away is written once it is back, and its failure, if it failed, is retried like any other.
"""

import logging
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger(__name__)

RECONNECT_FIRST_WAIT = 0.5
RECONNECT_MAX_WAIT = 30
# A worker that ran this long without a database error starts its waits from the first one again.
CALM_AFTER = 60
OUTCOME_FIELDS = ["status", "return_value", "finished_at", "exception_class_path", "traceback"]


class ResilientWorker(Worker):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.unrecorded = None
        self.wait = RECONNECT_FIRST_WAIT
        self.last_error_at = None

    def run(self):
        while True:
            try:
                self.record_outcome()
                return super().run()
            except (OperationalError, InterfaceError) as error:
                self.wait_for_database(error)
            finally:
                # One random start-up delay is enough, not one per reconnection.
                self.startup_delay = False

    def run_task(self, db_task_result):
        try:
            super().run_task(db_task_result)
        except DatabaseError:
            # The task ran; its row could not be written. Kept to be written when the database is back.
            self.unrecorded = db_task_result
            raise

    def record_outcome(self):
        db_result, self.unrecorded = self.unrecorded, None
        if db_result is None:
            return
        try:
            db_result.save(update_fields=OUTCOME_FIELDS)
        except DatabaseError:
            self.unrecorded = db_result
            raise
        task_finished.send(sender=type(db_result.task.get_backend()), task_result=db_result.task_result)

    def wait_for_database(self, error):
        if any(connection.closed_in_transaction for connection in connections.all(initialized_only=True)):
            raise error  # a transaction around the worker (a test's) lost its connection: no use waiting
        now = time.monotonic()
        if self.last_error_at is not None and now - self.last_error_at > CALM_AFTER:
            self.wait = RECONNECT_FIRST_WAIT
        self.last_error_at = now
        logger.warning("Database unreachable (%s); the worker tries again in %.1f s", error, self.wait)
        # A broken connection is dropped, so that the next query opens a new one.
        connections.close_all()
        time.sleep(self.wait)
        self.wait = min(self.wait * 2, RECONNECT_MAX_WAIT)
