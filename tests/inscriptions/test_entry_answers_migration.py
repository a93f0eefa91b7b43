"""Migration 0010 moves the funders' answers (RQTH, the ESF+ questions) from the profile to their own table, and
back when reversed."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings
from django.utils import timezone

from inscriptions.enums import Nationality, YesNoUnsaid
from inscriptions.models import EntryAnswers
from tests.inscriptions.factories import LearnerFactory

MIGRATION = "0010_entry_answers"
BEFORE = "0009_learner_pseudonym_id"
# The profile's columns the migration removes, as they were: added back to run its steps on today's schema.
REMOVED_COLUMNS = {
    "rqth": "boolean NOT NULL DEFAULT false",
    "nationality": "varchar(10) NOT NULL DEFAULT ''",
    "foreign_background": "varchar(3) NOT NULL DEFAULT ''",
    "housing_exclusion": "boolean NOT NULL DEFAULT false",
    "rural_area": "boolean NOT NULL DEFAULT false",
}
NOT_ANSWERED = {"rqth": False, "nationality": "", "foreign_background": "", "housing_exclusion": False}


def execute(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


def migration():
    return importlib.import_module(f"inscriptions.migrations.{MIGRATION}")


def models_midway():
    """The learner's table with its old columns back, and the models as they stand inside the migration: the
    profile still holding the answers, their new table created."""
    if connection.vendor == "postgresql":
        execute("SET CONSTRAINTS ALL IMMEDIATE")
    for column, kind in REMOVED_COLUMNS.items():
        execute(f"ALTER TABLE inscriptions_learner ADD COLUMN {column} {kind}")
    # The SQLite pass turns migrations off (--no-migrations): their files are read all the same.
    with override_settings(MIGRATION_MODULES={}):
        state = MigrationLoader(connection, ignore_no_migrations=True).project_state(("inscriptions", BEFORE))
    create_model = migration().Migration.operations[0]
    create_model.state_forwards("inscriptions", state)
    apps = state.apps
    return apps, apps.get_model("inscriptions", "Learner")


def profiles_of_every_kind(OldLearner):
    """{name: pk} of profiles as the old form left them."""
    learners = {name: LearnerFactory().pk for name in ("nationality", "rqth", "nothing", "erased", "everything")}
    OldLearner.objects.filter(pk=learners["nationality"]).update(nationality=Nationality.EU)
    OldLearner.objects.filter(pk=learners["rqth"]).update(rqth=True)
    OldLearner.objects.filter(pk=learners["erased"]).update(rqth=True, anonymised_at=timezone.now())
    OldLearner.objects.filter(pk=learners["everything"]).update(
        nationality=Nationality.OTHER,
        foreign_background=YesNoUnsaid.NO,
        rqth=True,
        housing_exclusion=True,
        rural_area=True,
        updated_at=timezone.now() - datetime.timedelta(days=30),
    )
    return learners


def answers_by_learner():
    return {
        row["learner_id"]: row
        for row in EntryAnswers.objects.values("learner_id", *migration().ANSWERED, "answered_at")
    }


def test_the_answers_given_are_copied_and_unticked_boxes_become_not_answered():
    apps, OldLearner = models_midway()
    learners = profiles_of_every_kind(OldLearner)

    migration().copy_answers(apps, SimpleNamespace(connection=connection))

    answers = answers_by_learner()
    assert set(answers) == {learners["nationality"], learners["rqth"], learners["everything"]}
    assert answers[learners["nationality"]] == {
        "learner_id": learners["nationality"],
        "rqth": None,
        "nationality": "ue",
        "foreign_background": "",
        "housing_exclusion": None,
        "rural_area": None,
        "answered_at": OldLearner.objects.get(pk=learners["nationality"]).updated_at,
    }
    assert answers[learners["rqth"]]["rqth"] is True
    everything = answers[learners["everything"]]
    assert (everything["nationality"], everything["foreign_background"]) == ("hors_ue", "non")
    assert (everything["rqth"], everything["housing_exclusion"], everything["rural_area"]) == (True, True, True)
    assert everything["answered_at"] < timezone.now() - datetime.timedelta(days=29)


def test_reversed_the_answers_go_back_to_the_profile():
    apps, OldLearner = models_midway()
    learners = profiles_of_every_kind(OldLearner)
    migration().copy_answers(apps, SimpleNamespace(connection=connection))
    OldLearner.objects.update(**NOT_ANSWERED, rural_area=False)
    EntryAnswers.objects.filter(learner_id=learners["rqth"]).update(rqth=False, rural_area=True)

    migration().copy_answers_back(apps, SimpleNamespace(connection=connection))

    profiles = {row["pk"]: row for row in OldLearner.objects.values("pk", *migration().ANSWERED)}
    assert profiles[learners["everything"]] == {
        "pk": learners["everything"],
        "rqth": True,
        "nationality": "hors_ue",
        "foreign_background": "non",
        "housing_exclusion": True,
        "rural_area": True,
    }
    assert profiles[learners["nationality"]] == {
        "pk": learners["nationality"],
        **NOT_ANSWERED,
        "nationality": "ue",
        "rural_area": False,
    }
    # "No" and "not answered" are the same unticked box again.
    assert (profiles[learners["rqth"]]["rqth"], profiles[learners["rqth"]]["rural_area"]) == (False, True)
    assert profiles[learners["nothing"]] == {"pk": learners["nothing"], **NOT_ANSWERED, "rural_area": False}


@pytest.mark.postgres
def test_the_migration_moves_the_answers_and_moves_them_back():
    """Run on PostgreSQL only, the pass whose test databases are built by the migrations: back to 0008, rows
    written with the models of that time, forward, back, and forward again."""
    executor = MigrationExecutor(connection)
    executor.migrate([("inscriptions", BEFORE)])
    OldLearner = executor.loader.project_state([("inscriptions", BEFORE)]).apps.get_model("inscriptions", "Learner")

    def profile(**answers):
        return OldLearner.objects.create(
            first_name="Awa",
            last_name="Diallo",
            postcode="93300",
            commune="Aubervilliers",
            diploma="cap_bep",
            situation="de_inscrit",
            **answers,
        ).pk

    answered = profile(rqth=True, nationality="hors_ue", rural_area=True)
    silent = profile()
    execute("SET CONSTRAINTS ALL IMMEDIATE")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(leaves)

    answers = EntryAnswers.objects.get()
    assert answers.learner_id == answered and silent not in EntryAnswers.objects.values_list("learner_id", flat=True)
    assert (answers.rqth, answers.nationality, answers.rural_area, answers.housing_exclusion) == (
        True,
        "hors_ue",
        True,
        None,
    )

    execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([("inscriptions", BEFORE)])
    OldLearner = executor.loader.project_state([("inscriptions", BEFORE)]).apps.get_model("inscriptions", "Learner")
    back = OldLearner.objects.get(pk=answered)
    assert (back.rqth, back.nationality, back.rural_area, back.housing_exclusion) == (True, "hors_ue", True, False)

    execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(leaves)
    assert EntryAnswers.objects.get().learner_id == answered
