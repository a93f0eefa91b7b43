"""Migration 0006 fills in what existing rows did not record (the furthest stage from the history, the entry
facts from the profile as it is now, the follow-ups' due dates) before the database requires them."""

import contextlib
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from inscriptions.enums import Diploma, FollowUpMilestone, Nationality, Placement, Situation
from inscriptions.models import ENTRY_FACTS, Application, FollowUp, add_months
from inscriptions.services import record_follow_up, release_unpaid_seat, withdraw
from inscriptions.workflow import Role, Stage, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to
from tests.inscriptions.lifted_constraints import check_constraints_lifted, execute
from tests.inscriptions.test_entry_answers_migration import models_midway

MIGRATION = "0006_facts_at_entry"
BEFORE = "0005_application_payment_date_constraints"
ADDED = {"application_furthest_stage_reached", "application_entry_recorded_once_started"}
# What the columns hold right after they are added, before the backfill.
AS_ADDED = {
    "furthest_stage": 0,
    "entry_recorded_at": None,
    **{field: Application._meta.get_field(field).get_default() for field in ENTRY_FACTS},
}


def backfill(apps=django_apps):
    migration = importlib.import_module(f"inscriptions.migrations.{MIGRATION}")
    return migration.backfill(apps, SimpleNamespace(connection=connection, execute=execute))


def profile_with_the_answers():
    """The profile as 0006 read it, the funders' answers on it (0010 moved them out): the models and the learner."""
    return models_midway()


@contextlib.contextmanager
def rows_as_before_the_constraints():
    """Let rows without their stage in, as they were before migration 0006, then check them again on the way out."""
    with check_constraints_lifted(ADDED, [Application]):
        yield


def history_of_every_kind():
    """Applications that went through the pipeline, as they stood before the migration: {name: application}."""
    session, upcoming = SessionFactory(past=True), SessionFactory(capacity=1)
    staff = UserFactory(superuser=True)
    learner = LearnerFactory(full_profile=True)
    left = move_to(ApplicationFactory(session=session, learner=learner), Status.COMPLETED, actor=staff)
    record_follow_up(left, FollowUpMilestone.EXIT, placement=Placement.CDI)
    enrolled_then_withdrawn = move_to(ApplicationFactory(session=upcoming), Status.ENROLLED, actor=staff)
    withdraw(enrolled_then_withdrawn, role=Role.STAFF, actor=staff)
    released = move_to(ApplicationFactory(session=upcoming), Status.ADMITTED, actor=staff)
    release_unpaid_seat(released, role=Role.SYSTEM)
    return {
        "left": left,
        "in_training": move_to(ApplicationFactory(session=session), Status.IN_TRAINING, actor=staff),
        "enrolled_then_withdrawn": enrolled_then_withdrawn,
        "released": released,
        "waiting": move_to(ApplicationFactory(session=SessionFactory()), Status.WAITLISTED, actor=staff),
        "submitted": ApplicationFactory(),
    }


def test_the_backfill_takes_the_stage_from_the_history_and_the_entry_facts_from_the_profile_now():
    old_apps, OldLearner = profile_with_the_answers()
    applications = history_of_every_kind()
    left = applications["left"]
    with rows_as_before_the_constraints():
        Application.objects.update(**AS_ADDED)
        FollowUp.objects.update(due_on=None)
        # The profile changed since the training started: the migration can only know it as it is now.
        OldLearner.objects.filter(pk=left.learner_id).update(
            diploma=Diploma.BAC, nationality=Nationality.EU, rqth=True
        )
        before_migration = timezone.now()

        filled = backfill(old_apps)

    stages = dict(Application.objects.values_list("pk", "furthest_stage"))
    assert {name: stages[application.pk] for name, application in applications.items()} == {
        "left": Stage.STARTED,
        "in_training": Stage.STARTED,
        "enrolled_then_withdrawn": Stage.ENROLLED,
        "released": Stage.ADMITTED,
        "waiting": Stage.APPLIED,
        "submitted": Stage.APPLIED,
    }
    left = Application.objects.get(pk=left.pk)
    assert (left.entry_diploma, left.entry_nationality, left.entry_situation, left.entry_rqth) == (
        Diploma.BAC,
        Nationality.EU,
        Situation.JOB_SEEKER_REGISTERED,
        True,
    )
    assert left.entry_recorded_at >= before_migration
    assert Application.objects.filter(entry_recorded_at__isnull=False).count() == 2
    assert FollowUp.objects.get().due_on == left.left_on
    assert filled == {"étape 1": 4, "étape 2": 3, "étape 3": 2, "faits à l’entrée": 2, "suivis datés": 1}


def test_the_backfill_leaves_what_was_already_recorded():
    old_apps, _ = profile_with_the_answers()
    applications = history_of_every_kind()
    before = list(Application.objects.order_by("pk").values())

    assert set(backfill(old_apps).values()) == {0}

    assert list(Application.objects.order_by("pk").values()) == before
    assert applications["left"].follow_ups.get().due_on == applications["left"].left_on


@pytest.mark.postgres
def test_the_migration_fills_in_rows_written_under_the_previous_schema():
    """Run on PostgreSQL only, the pass whose test databases are built by the migrations: back to 0005, rows
    written with the models of that time, then forward."""
    executor = MigrationExecutor(connection)
    executor.migrate([("inscriptions", BEFORE)])
    old = executor.loader.project_state([("inscriptions", BEFORE)]).apps
    OldApplication, OldFollowUp, StatusChange = (
        old.get_model("inscriptions", name) for name in ("Application", "FollowUp", "StatusChange")
    )
    OldLearner = old.get_model("inscriptions", "Learner")
    session = SessionFactory(past=True)
    learner = OldLearner.objects.create(
        first_name="Awa",
        last_name="Diallo",
        postcode="93300",
        commune="Aubervilliers",
        diploma=Diploma.NONE,
        situation=Situation.JOB_SEEKER_REGISTERED,
        nationality=Nationality.OTHER,
        rural_area=True,
    )
    now = timezone.now()

    def application(status, steps, **dates):
        row = OldApplication.objects.create(
            learner_id=learner.pk, session_id=session.pk, campus_id=session.campus_id, status=status, **dates
        )
        for source, target in zip(["", *steps], steps, strict=False):
            StatusChange.objects.create(application=row, from_status=source, to_status=target, role="staff")
        return row

    left = application(
        "completed", ["submitted", "admitted", "enrolled", "in_training", "completed"], decided_at=now, left_on=now
    )
    withdrawn = application("withdrawn", ["submitted", "admitted", "withdrawn"], decided_at=now)
    OldFollowUp.objects.create(application=left, milestone=6, placement="cdi")
    execute("SET CONSTRAINTS ALL IMMEDIATE")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    left, withdrawn = Application.objects.get(pk=left.pk), Application.objects.get(pk=withdrawn.pk)
    assert (left.furthest_stage, left.entry_nationality, left.entry_rural_area) == (Stage.STARTED, "hors_ue", True)
    assert left.entry_recorded_at is not None
    assert (withdrawn.furthest_stage, withdrawn.entry_recorded_at) == (Stage.ADMITTED, None)
    assert FollowUp.objects.get().due_on == add_months(left.left_on, 6)
