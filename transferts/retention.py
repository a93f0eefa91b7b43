"""Import and export jobs past their retention period: their files hold personal data."""

import datetime

from django.conf import settings
from django.utils import timezone

from home.retention import delete_in_batches
from transferts.models import DataJob


def purge_data_jobs(now=None):
    """Delete the jobs created more than DATA_JOB_RETENTION_DAYS ago, with their files; how many went.

    Abandoned previews never finish: their upload is purged on its age. Deleting a job deletes its files once the
    deletion commits (transferts/signals.py).
    """
    limit = (now or timezone.now()) - datetime.timedelta(days=settings.DATA_JOB_RETENTION_DAYS)
    return delete_in_batches(DataJob.objects.filter(created_at__lt=limit))
