"""Files of imports and exports hold personal data: they go once their retention period is over."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from tests.campus.factories import UserFactory
from transferts.models import DataJob

pytestmark = pytest.mark.django_db


def job_created(days_ago, user):
    job = DataJob.objects.create(
        direction=DataJob.Direction.EXPORT,
        kind="participants",
        file_format="csv",
        requested_by=user,
        state=DataJob.State.DONE,
        created_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    job.result.save("participants.csv", ContentFile(b"pseudonyme;genre\nP-ABC;femme\n"))
    return job


def test_jobs_past_retention_go_with_their_files_and_recent_ones_stay(settings, django_capture_on_commit_callbacks):
    settings.DATA_JOB_RETENTION_DAYS = 7
    user = UserFactory()
    old, recent = job_created(8, user), job_created(2, user)
    old_name, recent_name = old.result.name, recent.result.name

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_data_jobs", verbosity=0)

    assert list(DataJob.objects.all()) == [recent]
    assert not storages["private"].exists(old_name)
    assert storages["private"].exists(recent_name)


def test_a_job_deleted_with_its_requester_takes_its_files_along(django_capture_on_commit_callbacks):
    user = UserFactory()
    name = job_created(0, user).result.name

    with django_capture_on_commit_callbacks(execute=True):
        user.delete()

    assert not DataJob.objects.exists()
    assert not storages["private"].exists(name)
