"""What the benchmarks share: timing pages through Django's full stack, one process per database, the report.

Each benchmark module gives its sizes, its seeding, its URLs and its wording, and calls `main`.
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
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# BENCH_POSTGRES_DB names the throw-away database, for two benchmarks run at once on one PostgreSQL.
POSTGRES_BENCH_DB = os.environ.get("BENCH_POSTGRES_DB", "tremplin_bench")
VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DOCUMENT_HEADER = "# Mesures de performance\n\nChaque section est réécrite par `make bench`.\n\n"


def time_requests(client, urls, *, warmup, samples, **fields):
    """One result row per URL of `urls` ({label: url}): `samples` timed GETs after `warmup` untimed ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = []
    for label, url in urls.items():
        for _ in range(warmup):
            assert client.get(url).status_code == 200, url
        timings, queries = [], set()
        for _ in range(samples):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
            queries.add(len(captured))
        rows.append(
            {
                **fields,
                "label": label,
                "url": url,
                "median_ms": statistics.median(timings),
                "p90_ms": statistics.quantiles(timings, n=10)[-1],
                "queries": sorted(queries),
                "bytes": len(response.content),
            }
        )
    return rows


def analyze():
    """On PostgreSQL, the planner's statistics of the rows just seeded: without autovacuum yet, it would plan by
    those of empty tables, which a database in service never has (a count of the catalogue took 160 ms instead of
    10 with them)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure_in_this_process(measure):
    """Migrate the database named by DATABASE_URL, run `measure()` and print its rows as one JSON line."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    results = measure()
    print(json.dumps({"vendor": connection.vendor, "results": results}))


def run_pass(module, database_url, env):
    """Run `python -m <module> --measure` on `database_url` in a process of its own; returns its JSON."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        # Connections kept between requests and checked before each, as in production (config/settings/production.py),
        # for the whole measure: production's minute would open a new one in some rows, and add its query to them.
        "DATABASE_CONN_MAX_AGE": "3600",
        "DATABASE_CONN_HEALTH_CHECKS": "true",
        **env,
    }
    output = subprocess.run(
        [sys.executable, "-m", module, "--measure"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def postgres_database_url(name=None):
    """A fresh bench database on the local PostgreSQL, or None when it does not answer.

    Without a name, POSTGRES_BENCH_DB as it is when called: a benchmark module may have changed it."""
    import psycopg

    name = name or POSTGRES_BENCH_DB

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError:
        return None
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


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


def report(passes, *, title, intro, columns, cells, noun):
    """The Markdown section: a table row per request and size, then per request the verdict from the smallest
    size to the largest (target: median less than doubled, same SQL queries).

    `columns` names the request and size columns; `cells(row)` fills them; `noun` is what the sizes count.
    """
    request_column, size_column = columns
    lines = [
        title,
        "",
        f"Mesuré le {datetime.date.today():%d/%m/%Y} sur {machine()}, avec `make bench`.",
        *intro,
        "",
        f"| base | {request_column} | {size_column} | médiane (ms) | p90 (ms) | requêtes SQL | octets HTML |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for result in passes:
        vendor = VENDORS[result["vendor"]]
        rows = result["results"]
        by_key = {(row["label"], row["size"]): row for row in rows}
        for row in rows:
            request, size = cells(row)
            queries = "/".join(str(q) for q in row["queries"])
            lines.append(
                f"| {vendor} | {request} | {size} | {row['median_ms']:.1f} | {row['p90_ms']:.1f} | {queries} "
                f"| {thousands(row['bytes'])} |"
            )
        sizes = list(dict.fromkeys(row["size"] for row in rows))
        for label in dict.fromkeys(row["label"] for row in rows):
            small, large = by_key[(label, sizes[0])], by_key[(label, sizes[-1])]
            ratio = large["median_ms"] / small["median_ms"]
            same_queries = small["queries"] == large["queries"]
            verdicts.append(
                f"- {vendor}, {label} : médiane ×{ratio:.2f} de {thousands(sizes[0])} à {thousands(sizes[-1])} "
                f"{noun} (objectif < ×2 : {'atteint' if ratio < 2 else 'MANQUÉ'}) ; requêtes SQL "
                f"{'identiques' if same_queries else 'DIFFÉRENTES'} ({small['queries']} → {large['queries']})."
            )
    return "\n".join([*lines, "", *verdicts, ""])


def write_section(path, section, heading):
    """Replace the section that starts with `heading` in docs/benchmarks.md (or add it), keeping the others."""
    path = Path(path)
    text = path.read_text() if path.exists() else DOCUMENT_HEADER
    start = text.find(heading)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n### ", start + 1)
        # Sections are separated by one blank line, whatever the section's own ending.
        following = "\n" + text[end + 1 :] if end != -1 else ""
        text = text[:start] + section.rstrip("\n") + "\n" + following
    path.write_text(text)


def main(module, description, *, measure, report, heading, env=None):
    """The command line of a benchmark module.

    `measure()` runs in the `--measure` child, Django set up and migrated, and returns the result rows;
    `report(passes)` turns the passes into the Markdown section that starts with `heading`.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write", help="Markdown file to update (e.g. docs/benchmarks.md)")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if args.measure:
        measure_in_this_process(measure)
        return
    env = env or {}
    passes = []
    with tempfile.TemporaryDirectory() as tmp:
        passes.append(run_pass(module, f"sqlite:///{tmp}/bench.sqlite3", env))
    if not args.sqlite_only:
        url = postgres_database_url()
        if url is None:
            print("PostgreSQL ne répond pas sur 127.0.0.1:5432 : mesure SQLite seulement.", file=sys.stderr)
        else:
            passes.append(run_pass(module, url, env))
    section = report(passes)
    print(section)
    if args.write:
        write_section(args.write, section, heading)
