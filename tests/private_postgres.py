"""A PostgreSQL cluster of the test's own, on a free loopback port: restarting it disturbs nobody else.

PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.servers import free_port

BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))


class PrivateCluster:
    def __init__(self):
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="tremplin-pg-"))
        self.data = self.directory / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/tremplin"

    def run(self, *command, **kwargs):
        return subprocess.run([*self.as_postgres, *command], check=True, capture_output=True, timeout=60, **kwargs)

    def pg_ctl(self, *args):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        return self.run(
            BIN / "pg_ctl", "-D", self.data, "-l", self.directory / "log", "-o", options, "-w", "-t", "30", *args
        )

    def start(self):
        if self.as_postgres:
            shutil.chown(self.directory, "postgres", "postgres")
        self.run(BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.pg_ctl("start")
        self.run(BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "tremplin")
        return self

    def restart(self):
        """`pg_ctl restart -m fast`: every connection is cut, and for a moment none is accepted."""
        self.pg_ctl("restart", "-m", "fast")

    def copy_database(self, settings_dict):
        """The test's database (schema and rows) copied into this cluster's `tremplin`."""
        source = [
            BIN / "pg_dump",
            "--no-owner",
            "-h",
            settings_dict["HOST"] or "127.0.0.1",
            "-p",
            str(settings_dict["PORT"] or 5432),
            "-U",
            settings_dict["USER"],
            settings_dict["NAME"],
        ]
        env = {**os.environ, "PGPASSWORD": settings_dict["PASSWORD"] or ""}
        dump = subprocess.run(source, check=True, capture_output=True, timeout=60, env=env).stdout
        load = ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        subprocess.run([*load, "tremplin"], input=dump, check=True, capture_output=True, timeout=60)

    def stop(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # never started
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


def wait_until(check, timeout=30, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


def wait_for_free_connections(needed, timeout=30):
    """Wait until the PostgreSQL server has room for `needed` more connections (bounded in time).

    A test that opens fifty connections at once follows others that closed as many: PostgreSQL counts a closed
    connection until its backend has exited, which takes longer when the machine is busy, and the other pytest
    worker holds connections too. Without this wait the server may answer "too many clients", which says
    nothing about the code under test.
    """
    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        while True:
            # A margin of three: PostgreSQL keeps a few slots for superusers (superuser_reserved_connections).
            cursor.execute("SELECT count(*) FROM pg_stat_activity")
            used = cursor.fetchone()[0]
            if used + needed + 3 <= limit or time.monotonic() > deadline:
                return
            time.sleep(0.2)
