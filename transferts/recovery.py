"""Import jobs whose worker stopped (killed, server restarted): found by their silent heartbeat, queued once more,
then marked failed.

A job's file is read and checked outside any transaction, and written in one: a worker stopped at any point has
written nothing, so running the job again from the start is safe.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from transferts import jobs, tasks
from transferts.models import DataJob

logger = logging.getLogger(__name__)

# Queued again this many times after its worker stopped, then failed: a file that kills its worker every time
# must not do so forever.
MAX_RESTARTS = 1


def stale_jobs(queryset=None, now=None):
    """The running imports whose heartbeat is older than IMPORT_STALE_AFTER_SECONDS."""
    limit = (now or timezone.now()) - datetime.timedelta(seconds=settings.IMPORT_STALE_AFTER_SECONDS)
    queryset = DataJob.objects.all() if queryset is None else queryset
    return queryset.filter(direction=DataJob.Direction.IMPORT, state=DataJob.State.RUNNING).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit)
    )


def recover_stale_jobs(queryset=None, now=None):
    """Queue each stale import once more, or mark it failed (its file deleted); returns (requeued, failed)."""
    requeued, failed = [], 0
    for pk in list(stale_jobs(queryset, now).values_list("pk", flat=True)):
        with transaction.atomic():
            # Locked and checked again: two processes recovering the same job requeue it once.
            job = stale_jobs(DataJob.objects.select_for_update(), now).filter(pk=pk).first()
            if job is None:
                continue
            if job.restarts < MAX_RESTARTS:
                logger.warning("Import job %s lost its worker: queued again", job.pk)
                job.state, job.restarts, job.heartbeat_at = DataJob.State.QUEUED, job.restarts + 1, timezone.now()
                job.save(update_fields=["state", "restarts", "heartbeat_at"])
                requeued.append(job)
            else:
                logger.warning("Import job %s lost its worker again: failed", job.pk)
                jobs.record_failure(
                    job,
                    [
                        _(
                            "Le traitement de cet import s'est arrêté en route (serveur redémarré ?), deux fois : "
                            "rien n'a été enregistré. Importez le fichier à nouveau ; s'il est très gros, "
                            "découpez-le."
                        )
                    ],
                )
                failed += 1
    for job in requeued:
        # A confirmed job is written; one still to preview is checked again.
        task = tasks.write_import if job.params.get("confirmed") else tasks.preview_import
        task.enqueue(job.pk)
    return len(requeued), failed
