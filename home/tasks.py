"""Imports too big for one web request, run in the background. Tasks take the job's id and re-read it."""

from django_tasks import task

from home import importing
from home.models import DataJob


@task()
def preview_import(job_pk):
    importing.preview_job(DataJob.objects.select_related("campus", "requested_by").get(pk=job_pk))


@task()
def write_import(job_pk):
    importing.write_job(DataJob.objects.select_related("campus", "requested_by").get(pk=job_pk))
