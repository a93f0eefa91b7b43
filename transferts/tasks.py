"""Imports run in the background. Tasks take the job's id and re-read it."""

import contextlib
import ctypes
import ctypes.util
import gc

from django_tasks import task

from transferts import jobs
from transferts.models import DataJob


def release_memory():
    """Give the memory of a big file back to the system: without this, a worker keeps its peak for good."""
    gc.collect()
    libc = ctypes.util.find_library("c")
    if libc:
        # glibc only; elsewhere there is nothing to do.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc).malloc_trim(0)


@task()
def preview_import(job_pk):
    try:
        jobs.preview_job(DataJob.objects.select_related("campus", "requested_by").get(pk=job_pk))
    finally:
        release_memory()


@task()
def write_import(job_pk):
    try:
        jobs.write_job(DataJob.objects.select_related("campus", "requested_by").get(pk=job_pk))
    finally:
        release_memory()
