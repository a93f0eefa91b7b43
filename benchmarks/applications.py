"""Staff list of applications benchmark: median response time and SQL queries at 1,000 and 10,000 applications.

`make bench` runs one pass per database (SQLite always, PostgreSQL when it answers on loopback), each in
its own process and on its own throw-away database, and writes its section of docs/benchmarks.md.
The page is the admin list named `inscriptions_admin:index`, requested as the team of one campus
(Django's test client, full stack, no network). Fixtures are raw bulk inserts: fast, and not a test
of the pipeline.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.catalogue import POSTGRES_ADMIN_URL, ROOT, machine, thousands

# BENCH_APPLICATION_SIZES=100,300 for a quick smoke run.
SIZES = tuple(int(size) for size in os.environ.get("BENCH_APPLICATION_SIZES", "1000,10000").split(","))
WARMUP, SAMPLES = 3, 20
CAMPUS_SLUG = "aubervilliers"
REQUESTS = {
    "sans filtre": "",
    # Chosen to fill a page of 50 at both sizes, so that the two sizes show as many rows.
    "filtrée par statut": "?status=submitted&status=under_review&status=waitlisted",
    "recherche": "?q=web",
    "page 5": "?p=5",
}
POSTGRES_BENCH_DB = "tremplin_bench"
HEADING = "### Liste des candidatures de l’équipe"

FIRST_NAMES = [
    "Amina",
    "Yanis",
    "Inès",
    "Mehdi",
    "Sarah",
    "Kevin",
    "Chloé",
    "Noé",
    "Fatoumata",
    "Lucas",
    "Aïcha",
    "Rayan",
    "Camille",
    "Bilal",
    "Manon",
    "Sofiane",
    "Jade",
    "Moussa",
    "Emma",
    "Nassim",
]
LAST_NAMES = [
    "Benali",
    "Haddad",
    "N'Diaye",
    "Bouzid",
    "Cohen",
    "Lefebvre",
    "Nguyen",
    "Garcia",
    "Diallo",
    "Moreau",
    "Traoré",
    "Mansouri",
    "Petit",
    "Rahmani",
    "Girard",
    "Belkacem",
    "Roux",
    "Koné",
    "Lambert",
    "Amrani",
]


def add_applications(count, offset):
    """Bulk-insert `count` learners (with accounts) and one application each, spread over every session."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from formations.models import Session
    from inscriptions.enums import Diploma, Situation
    from inscriptions.models import Application, Learner, StatusChange
    from inscriptions.workflow import Role, Status

    User = get_user_model()
    sessions = list(Session.objects.order_by("pk"))
    statuses = list(Status)
    now = timezone.now()
    users = User.objects.bulk_create(
        User(username=f"bench{offset + n}", email=f"bench{offset + n}@exemple.fr", password="!") for n in range(count)
    )
    learners = Learner.objects.bulk_create(
        Learner(
            user=user,
            first_name=FIRST_NAMES[(offset + n) % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(offset + n) // len(FIRST_NAMES) % len(LAST_NAMES)],
            birth_date=datetime.date(2000 + n % 8, 1 + n % 12, 1 + n % 28),
            postcode="93300",
            commune="Aubervilliers",
            diploma=list(Diploma)[n % len(Diploma)],
            situation=list(Situation)[n % len(Situation)],
            consent_at=now,
        )
        for n, user in enumerate(users)
    )
    applications = Application.objects.bulk_create(
        Application(
            learner=learner,
            session=sessions[(offset + n) % len(sessions)],
            campus_id=sessions[(offset + n) % len(sessions)].campus_id,
            # Not tied to the session, so that every session holds every status.
            status=statuses[(offset + n) // len(sessions) % len(statuses)],
            motivation="Je veux travailler dans le numérique.",
            age_on_submission=18 + n % 12,
            submitted_at=now - datetime.timedelta(hours=offset + n),
            status_changed_at=now - datetime.timedelta(hours=offset + n),
        )
        for n, learner in enumerate(learners)
    )
    StatusChange.objects.bulk_create(
        StatusChange(
            application=application, to_status=Status.SUBMITTED, role=Role.LEARNER, created_at=application.submitted_at
        )
        for application in applications
    )


def measure_in_this_process():
    """Seed the catalogue and a campus team, top the applications up to each size, time each request."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from campus.models import CampusPage
    from inscriptions.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", no_users=True, verbosity=0)
    campus = CampusPage.objects.get(slug=CAMPUS_SLUG)
    staff, _ = get_user_model().objects.get_or_create(username="equipe.bench", defaults={"email": "equipe@bench.fr"})
    staff.groups.add(campus.staff_group)
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    index = reverse("inscriptions_admin:index")

    results = []
    for size in SIZES:
        started = time.perf_counter()
        add_applications(size - Application.objects.count(), Application.objects.count())
        seed_seconds = time.perf_counter() - started
        visible = Application.objects.visible_to(staff).count()
        for label, query in REQUESTS.items():
            url = index + query
            for _ in range(WARMUP):
                assert client.get(url).status_code == 200, url
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
                    "visible": visible,
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
    import subprocess

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "TASKS_BACKEND": "immediate",
    }
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.applications", "--measure"],
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


def report(passes):
    lines = [
        f"{HEADING} `/admin/candidatures/`",
        "",
        f"Mesuré le {datetime.date.today():%d/%m/%Y} sur {machine()}, avec `make bench`.",
        f"Connecté·e comme l’équipe d’un campus (elle voit ses candidatures : environ un quart du total). "
        f"Client de test Django (toute la pile), {SAMPLES} requêtes par ligne après {WARMUP} d’échauffement ; "
        "médiane et 90e centile en millisecondes ; requêtes SQL par requête HTTP ; 50 lignes par page.",
        "Le filtre (trois statuts « à traiter ») et la recherche remplissent une page de 50 aux deux tailles ; "
        "la page 5 n’a que 34 lignes à 1 000 candidatures (234 visibles). Sur 2 cœurs partagés, un rapport "
        "inférieur à 1 est du bruit : comparez plusieurs passages.",
        "",
        "| base | requête | candidatures (visibles) | médiane (ms) | p90 (ms) | requêtes SQL | octets HTML |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for result in passes:
        vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[result["vendor"]]
        by_key = {(row["label"], row["size"]): row for row in result["results"]}
        for row in result["results"]:
            queries = "/".join(str(q) for q in row["queries"])
            lines.append(
                f"| {vendor} | {row['label']} (`{row['url'].split('/')[-1] or '/'}`) | {thousands(row['size'])} "
                f"({thousands(row['visible'])}) | {row['median_ms']:.1f} | {row['p90_ms']:.1f} | {queries} "
                f"| {thousands(row['bytes'])} |"
            )
        for label in REQUESTS:
            small, large = by_key[(label, SIZES[0])], by_key[(label, SIZES[-1])]
            ratio = large["median_ms"] / small["median_ms"]
            same_queries = small["queries"] == large["queries"]
            verdicts.append(
                f"- {vendor}, {label} : médiane ×{ratio:.2f} de {thousands(SIZES[0])} à {thousands(SIZES[-1])} "
                f"candidatures (objectif < ×2 : {'atteint' if ratio < 2 else 'MANQUÉ'}) ; requêtes SQL "
                f"{'identiques' if same_queries else 'DIFFÉRENTES'} ({small['queries']} → {large['queries']})."
            )
    return "\n".join([*lines, "", *verdicts, ""])


def write_section(path, section):
    """Replace this benchmark's section of docs/benchmarks.md, keeping the others."""
    path = Path(path)
    header = "# Mesures de performance\n\nChaque section est réécrite par `make bench`.\n\n"
    text = path.read_text() if path.exists() else header
    start = text.find(HEADING)
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
