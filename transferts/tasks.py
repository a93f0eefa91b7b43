"""Imports too big for one web request, run in the background. Tasks take the job's id and re-read it."""

from django_tasks import task

from transferts import jobs
from transferts.models import DataJob


@task()
def preview_import(job_pk):
    jobs.preview_job(DataJob.objects.select_related("campus", "requested_by").get(pk=job_pk))


@task()
def write_import(job_pk):
    jobs.write_job(DataJob.objects.select_related("campus", "requested_by").get(pk=job_pk))
