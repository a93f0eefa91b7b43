"""`/healthz/`: whether this server can serve, for a load balancer or a monitor. It checks the database, the shared
cache and the file storages, and names what fails, without any personal data, session or cookie."""

import logging
import os
import uuid
from pathlib import Path

from django.core.cache import cache
from django.core.files.storage import InMemoryStorage, storages
from django.db import connection
from django.http import JsonResponse

PATH = "/healthz/"
logger = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return what was written")
    finally:
        cache.delete(key)


def storage_is_reachable(storage):
    if hasattr(storage, "bucket_name"):
        # S3: the bucket exists and these keys may use it (a missing object would not tell).
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    elif isinstance(storage, InMemoryStorage):
        return
    else:
        # A folder not made yet is made at the first upload: its nearest existing parent must be writable.
        folder = Path(storage.location)
        while not folder.exists():
            folder = folder.parent
        if not folder.is_dir():
            raise NotADirectoryError(folder)
        if not os.access(folder, os.W_OK):
            raise PermissionError(f"{folder} is not writable")


def check_storage():
    for alias in ("default", "private"):
        storage_is_reachable(storages[alias])


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage}


def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            # The reason goes to the log only: the answer is public.
            logger.exception("Health check failed: %s", name)
            results[name] = "error"
        else:
            results[name] = "ok"
    healthy = all(result == "ok" for result in results.values())
    body = {"status": "ok" if healthy else "error", "checks": results}
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers `/healthz/` first: a probe by IP address over plain HTTP must not get a 400 for its Host header or a
    redirect to HTTPS, and never opens a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
