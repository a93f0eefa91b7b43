"""Settings of the processes a test starts on its own database (task worker, web server): DATABASE_URL names it."""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# So that the test finds this process's connections in pg_stat_activity.
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = os.environ.get("PROCESS_NAME", "tremplin-test")
