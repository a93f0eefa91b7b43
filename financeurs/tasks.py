"""Funder files too big for one web request, written in the background into the job's private file.

The task takes the job's id and re-reads it: it may run minutes later on a worker (`manage.py db_worker`).
"""

import datetime
import logging
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from financeurs import exports
from financeurs.indicators import Period
from transferts.models import DataJob

logger = logging.getLogger(__name__)

# The same file asked again within this delay reuses its job: download links are GETs, and get clicked twice.
JOB_REUSE_DELAY = datetime.timedelta(hours=1)


def start_export_job(user, kind, agreement, period, file_format):
    """The job that will write this file: a recent one with the same parameters, or a new one, enqueued on commit."""
    params = {"debut": period.start.isoformat(), "fin": period.end.isoformat()}
    recent = (
        DataJob.objects.filter(
            direction=DataJob.Direction.EXPORT,
            kind=kind,
            file_format=file_format,
            agreement=agreement,
            requested_by=user,
            params__debut=params["debut"],
            params__fin=params["fin"],
            created_at__gte=timezone.now() - JOB_REUSE_DELAY,
        )
        .exclude(state=DataJob.State.FAILED)
        .first()
    )
    if recent is not None:
        return recent
    job = DataJob.objects.create(
        direction=DataJob.Direction.EXPORT,
        kind=kind,
        file_format=file_format,
        requested_by=user,
        subject=agreement,
        params={**params, "file_name": exports.file_name(kind, agreement, period, file_format)},
        total=exports.participant_count(agreement, period) if kind == exports.PARTICIPANTS else 0,
    )
    transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
    return job


@task
def run_export_job(job_pk):
    job = DataJob.objects.prefetch_related("subject__funder").get(pk=job_pk)
    if job.state != DataJob.State.QUEUED:
        return
    job.state = DataJob.State.RUNNING
    job.save(update_fields=["state"])
    try:
        period = Period(
            start=datetime.date.fromisoformat(job.params["debut"]),
            end=datetime.date.fromisoformat(job.params["fin"]),
        )
        with tempfile.TemporaryFile() as out:
            exports.write(job.kind, job.subject, period, job.file_format, out, progress=job.record_progress)
            out.seek(0)
            job.result.save(job.params["file_name"], File(out), save=False)
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        job.refresh_from_db(fields=["done"])
        job.state = DataJob.State.FAILED
        job.errors = [
            _(
                "Le fichier n’a pas pu être préparé. Réessayez plus tard ; si cela recommence, "
                "écrivez à l’équipe du campus."
            )
        ]
    else:
        job.refresh_from_db(fields=["done"])
        job.state = DataJob.State.DONE
        job.total = max(job.total, job.done)
        job.summary = {"rows": job.done}
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "errors", "total", "summary", "result", "finished_at", "done"])
