"""Rows written as they could be before a migration added its check constraints, for the tests of that migration."""

import contextlib

from django.db import connection
from django.db.models import CheckConstraint, F


def execute(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


@contextlib.contextmanager
def check_constraints_lifted(names, models):
    """Let rows that break the check constraints `names` of `models` in, then check every row again on the way out."""
    checks = [
        (model, constraint)
        for model in models
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint) and constraint.name in names
    ]
    if connection.vendor == "sqlite":
        execute("PRAGMA ignore_check_constraints = ON")
        yield
        execute("PRAGMA ignore_check_constraints = OFF")
        # SQLite checks a row when it is written: write them all again.
        for model in models:
            model.objects.update(status=F("status"))
    else:
        # PostgreSQL changes tables inside the test's transaction, which is rolled back; it first wants the
        # foreign keys of the rows already written checked.
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        with connection.schema_editor() as editor:
            for model, constraint in checks:
                editor.remove_constraint(model, constraint)
        yield
        with connection.schema_editor() as editor:
            for model, constraint in checks:
                editor.add_constraint(model, constraint)
