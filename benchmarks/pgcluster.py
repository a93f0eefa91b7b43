"""A PostgreSQL cluster of one's own, on a free loopback port, to restart at will without touching the shared one.

Built with the server's own initdb and pg_ctl (Debian's postgresql package). PostgreSQL refuses to run as root:
as root, its commands run as the `postgres` user, in a folder that user owns.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


def server_binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return os.path.dirname(found[-1])
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return os.path.dirname(pg_ctl)
    raise RuntimeError("pg_ctl est introuvable : installez le paquet postgresql.")


class PrivatePostgres:
    def __init__(self):
        self.bin = server_binaries()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.root = tempfile.mkdtemp(prefix="tremplin-pg-")
        self.data = os.path.join(self.root, "data")
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.root, "postgres")

    def run(self, *command, timeout=120):
        subprocess.run([*self.as_postgres, *command], check=True, capture_output=True, timeout=timeout, cwd=self.root)

    def pg_ctl(self, action, *options):
        self.run(
            f"{self.bin}/pg_ctl", action, "-D", self.data, "-w", "-t", "60", "-l", f"{self.root}/server.log",
            "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c max_connections=120",
            *options,
        )  # fmt: skip

    def start(self):
        self.run(f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.pg_ctl("start")
        return self

    def restart(self):
        """Restart the server ("fast": open sessions are cut, as in a real restart); returns how long it took."""
        started = time.monotonic()
        self.pg_ctl("restart", "-m", "fast")
        return time.monotonic() - started

    def stop(self):
        try:
            self.pg_ctl("stop", "-m", "fast")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def database_url(self, name):
        """A fresh database `name` on this cluster."""
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
