"""Real services for the tests of several servers: the Redis on loopback, an S3 server (moto), gunicorn.

Every wait is bounded; every process started here is stopped by its own PID."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BIN = Path(sys.executable).parent
S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION = "testing", "testing", "us-east-1"


def worker_prefix():
    """Keys of this test worker only, so that parallel workers never see, nor flush, each other's."""
    return f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"


def flush_prefix(prefix):
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    keys = list(client.scan_iter(match=f"*{prefix}*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answers(url, process=None, timeout=30, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the process stopped (exit {process.returncode}).{read_log(log)}")
        with contextlib.suppress(requests.RequestException):
            requests.get(url, timeout=2)
            return
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s.{read_log(log)}")


def read_log(log):
    if log is None or not Path(log).exists():
        return ""
    return "\n" + Path(log).read_text(errors="replace")[-4000:]


def stop(process, timeout=15):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


@contextlib.contextmanager
def s3_server(log_dir):
    """moto's S3 server on a free loopback port, for the length of the block."""
    port = free_port()
    log = Path(log_dir) / f"moto-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        wait_until_answers(endpoint, process, log=log)
        yield endpoint
    finally:
        stop(process)


def s3_client(endpoint):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        region_name=S3_REGION,
    )


def make_buckets(endpoint):
    """Two new buckets, media and private, named for this test alone."""
    suffix = uuid.uuid4().hex[:10]
    media, private = f"media-{suffix}", f"private-{suffix}"
    client = s3_client(endpoint)
    client.create_bucket(Bucket=media)
    client.create_bucket(Bucket=private)
    return media, private


def s3_environment(endpoint, media_bucket, private_bucket):
    """The variables of docs/deploy.md that put the files on S3."""
    return {
        "STORAGE_BACKEND": "s3",
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": S3_REGION,
        "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "AWS_STORAGE_BUCKET_NAME": media_bucket,
        "AWS_PRIVATE_BUCKET_NAME": private_bucket,
    }
