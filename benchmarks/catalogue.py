"""Catalogue benchmark: median response time and SQL queries per request at 200 and 2,000 formations.

`make bench` runs one pass per database (SQLite always, PostgreSQL when it answers on loopback), each
in its own process and on its own throw-away database, and writes docs/benchmarks.md.
Requests go through Django's full stack (middleware, URL routing, view, templates) with the test
client: no network at all.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (200, 2000)
WARMUP, SAMPLES = 5, 40
URLS = {
    "catalogue, sans filtre": "/formations/",
    "catalogue, filtré": "/formations/?q=formation&gratuit=on&places=on&format=sur_place&duree_max=900&tri=duree",
    "catalogue, page 5": "/formations/?page=5",
}
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
POSTGRES_BENCH_DB = "tremplin_bench"


def measure_in_this_process():
    """Seed each size in turn (the seed only adds), then time each URL. Prints JSON."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0, interactive=False)
    client = Client(HTTP_HOST="localhost")
    results = []
    for size in SIZES:
        started = time.perf_counter()
        call_command("seed_demo", formations=size, no_users=True, verbosity=0)
        seed_seconds = time.perf_counter() - started
        for label, url in URLS.items():
            for _ in range(WARMUP):
                assert client.get(url).status_code == 200
            timings, queries = [], set()
            for _ in range(SAMPLES):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, url
                queries.add(len(captured))
            results.append(
                {
                    "size": size,
                    "label": label,
                    "url": url,
                    "median_ms": statistics.median(timings),
                    "p90_ms": statistics.quantiles(timings, n=10)[-1],
                    "queries": sorted(queries),
                    "bytes": len(response.content),
                    "seed_seconds": seed_seconds,
                }
            )
    print(json.dumps({"vendor": connection.vendor, "results": results}))


def run_pass(database_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.catalogue", "--measure"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def postgres_database_url():
    """A fresh bench database on the local PostgreSQL, or None when it does not answer."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB}")
            conn.execute(f"CREATE DATABASE {POSTGRES_BENCH_DB}")
    except psycopg.OperationalError:
        return None
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{POSTGRES_BENCH_DB}"


def machine():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cœurs, {memory:.0f} Gio, "
        f"Python {platform.python_version()}"
    )


def thousands(number):
    return f"{number:,}".replace(",", "\u202f")


def report(passes):
    lines = [
        "### Catalogue `/formations/` (issue 2)",
        "",
        f"Mesuré le {datetime.date.today():%d/%m/%Y} sur {machine()}, avec `make bench`.",
        f"Client de test Django (toute la pile : middleware, routage, vue, gabarits), {SAMPLES} requêtes par ligne "
        f"après {WARMUP} d'échauffement ; médiane et 90e centile en millisecondes ; requêtes SQL par requête HTTP.",
        "",
        "| base | page | formations | médiane (ms) | p90 (ms) | requêtes SQL | octets HTML |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for result in passes:
        vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[result["vendor"]]
        by_key = {(row["label"], row["size"]): row for row in result["results"]}
        for row in result["results"]:
            queries = "/".join(str(q) for q in row["queries"])
            lines.append(
                f"| {vendor} | {row['label']} | {thousands(row['size'])} | {row['median_ms']:.1f} "
                f"| {row['p90_ms']:.1f} | {queries} | {thousands(row['bytes'])} |"
            )
        for label in URLS:
            small, large = by_key[(label, SIZES[0])], by_key[(label, SIZES[-1])]
            ratio = large["median_ms"] / small["median_ms"]
            same_queries = small["queries"] == large["queries"]
            verdicts.append(
                f"- {vendor}, {label} : médiane ×{ratio:.2f} de {SIZES[0]} à {thousands(SIZES[-1])} formations "
                f"(objectif < ×2 : {'atteint' if ratio < 2 else 'MANQUÉ'}) ; requêtes SQL "
                f"{'identiques' if same_queries else 'DIFFÉRENTES'} ({small['queries']} → {large['queries']})."
            )
    return "\n".join([*lines, "", *verdicts, ""])


def write_section(path, section):
    """Replace the catalogue section of docs/benchmarks.md, keeping the others."""
    path = Path(path)
    header = "# Mesures de performance\n\nChaque section est réécrite par `make bench`.\n\n"
    text = path.read_text() if path.exists() else header
    start = text.find("### Catalogue `/formations/`")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n### ", start + 1)
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    path.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write", help="Markdown file to update (e.g. docs/benchmarks.md)")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if args.measure:
        measure_in_this_process()
        return
    passes = []
    with tempfile.TemporaryDirectory() as tmp:
        passes.append(run_pass(f"sqlite:///{tmp}/bench.sqlite3"))
    if not args.sqlite_only:
        url = postgres_database_url()
        if url is None:
            print("PostgreSQL ne répond pas sur 127.0.0.1:5432 : mesure SQLite seulement.", file=sys.stderr)
        else:
            passes.append(run_pass(url))
    section = report(passes)
    print(section)
    if args.write:
        write_section(args.write, section)


if __name__ == "__main__":
    main()
