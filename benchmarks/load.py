"""Load run: people browsing, filtering, applying and paying against gunicorn and PostgreSQL, for real.

`python -m benchmarks.load --write docs/benchmarks.md` (part of `make bench`) seeds a throw-away PostgreSQL
database, serves it with gunicorn and the task worker in production settings, stands in for Stripe's API on
loopback, and runs locust (benchmarks/locustfile.py) headless for two minutes with 100 simulated people. Then it
checks, in the database, that no session holds more people than seats, that no payment is kept without a seat
or a refund, and that every application someone was told was sent exists.

The second run does the same on a PostgreSQL cluster of its own, restarted in the middle of the run: some requests
fail while it restarts, but no application anyone was told was sent may be lost. Everything listens on loopback;
every process started here is ended here, by its process id.
"""

import argparse
import contextlib
import csv
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from benchmarks import common
from tests.private_postgres import PrivateCluster
from tests.servers import free_port

HEADING = "### Charge : navigation, candidatures et paiements sur gunicorn et PostgreSQL"
PEOPLE, SECONDS, SESSIONS, CAPACITY = 100, 120, 8, 4
PASSWORD = "charge-tremplin-2026"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
GUNICORN_WORKERS = 5  # gunicorn.conf.py's default on two cores: 2 × cores + 1


def timed(action):
    started = time.monotonic()
    action()
    return time.monotonic() - started


# --- Stripe's API, stood in for on loopback -----------------------------------------------------


class StripeStandIn(BaseHTTPRequestHandler):
    """Answers the two calls Tremplin makes: create a Checkout Session, create a Refund."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
        if self.path == "/v1/checkout/sessions":
            payment = form.get("metadata[payment_id]", ["0"])[0]
            checkout = f"cs_load_{payment}_{secrets.token_hex(4)}"
            answer = {"id": checkout, "object": "checkout.session", "url": f"{self.server.base}/checkout/{checkout}"}
        elif self.path == "/v1/refunds":
            answer = {
                "id": f"re_load_{secrets.token_hex(6)}",
                "object": "refund",
                "status": "succeeded",
                "amount": int(form.get("amount", ["0"])[0]),
            }
        else:
            self.send_error(404)
            return
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def stripe_stand_in():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StripeStandIn)
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.base
    finally:
        server.shutdown()
        server.server_close()


# --- The product, served ------------------------------------------------------------------------


def environment(database_url, workdir, stripe_base):
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "REDIS_URL": REDIS_URL,
        "TRUSTED_PROXY_COUNT": "1",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "STRIPE_SECRET_KEY": "sk_test_load",
        "STRIPE_WEBHOOK_SECRET": "whsec_load_" + secrets.token_hex(8),
        "STRIPE_API_BASE": stripe_base,
        "TASKS_BACKEND": "database",
        "LOG_LEVEL": "ERROR",
    }


def manage(env, *args, timeout=900):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=common.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    ).stdout


def prepare(env, workdir, people):
    """Schema, static files, the demo catalogue, and the people of the run; returns what locust needs."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # this run's own database number: login counters start at zero
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")
    manage(env, "seed_demo", "--formations", "60", "--verbosity", "0")
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--seed-people", str(people)],
        cwd=common.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    data = json.loads(output.strip().splitlines()[-1])
    (workdir / "data.json").write_text(json.dumps(data))
    return data


def seed_people(count):
    """Learners who can log in and apply, and the paid sessions with few seats that they race for."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from campus.models import CampusPage
    from formations.models import FormationPage, Session
    from inscriptions.enums import Diploma, QpvResidence, Situation
    from inscriptions.models import Learner

    today = timezone.localdate()
    sessions = list(
        Session.objects.open_for_applications(today)
        .filter(start_date__gt=today + datetime.timedelta(days=10))
        .select_related("campus")
        .order_by("campus_id", "start_date", "pk")
    )
    campuses = sorted({session.campus_id for session in sessions})[:2]
    chosen = [session for session in sessions if session.campus_id in campuses][:SESSIONS]
    Session.objects.filter(pk__in=[session.pk for session in chosen]).update(capacity=CAPACITY, price_cents=15000)
    User = get_user_model()
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"charge{n}", email=f"charge{n}@exemple.fr", password=password, first_name="Charge")
        for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    now = timezone.now()
    Learner.objects.bulk_create(
        Learner(
            user=user,
            first_name="Charge",
            last_name=f"Personne {n}",
            phone="06 00 00 00 00",
            birth_date=today - datetime.timedelta(days=365 * 22 + n),
            postcode="93300",
            commune="Aubervilliers",
            qpv_residence=QpvResidence.YES,
            diploma=Diploma.values[0],
            situation=Situation.values[0],
            consent_at=now,
            consent_version=settings.PRIVACY_NOTICE_VERSION,
        )
        for n, user in enumerate(users)
    )
    staff = []
    for campus_id in campuses:
        member = CampusPage.objects.get(pk=campus_id).staff_group.user_set.order_by("pk").first()
        member.set_password(PASSWORD)
        member.save()
        staff.append({"email": member.email, "campus": campus_id})
    formation_urls = [page.url for page in FormationPage.objects.live().order_by("pk")[:40]]
    print(
        json.dumps(
            {
                "password": PASSWORD,
                "learners": [{"email": user.email} for user in users],
                "staff": staff,
                "sessions": [{"id": session.pk, "campus": session.campus_id} for session in chosen],
                "formation_urls": formation_urls,
            }
        )
    )


@contextlib.contextmanager
def served(env, workdir):
    """gunicorn and the task worker, until the block ends; yields the address."""
    port = free_port()
    logs = open(workdir / "server.log", "w")  # noqa: SIM115 (closed at the end of the block, after the servers)
    # The deployment's own gunicorn.conf.py: its workers, timeouts and keep-alive are what is measured.
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "gunicorn.conf.py"],
        cwd=common.ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(GUNICORN_WORKERS)},
        stdout=logs,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker"], cwd=common.ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(address + "/healthz/")
                with urllib.request.urlopen(request, timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or web.poll() is not None:
                    raise RuntimeError("gunicorn n'a pas démarré : voir server.log") from None
                time.sleep(0.5)
        yield address, worker
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        logs.close()


def run_locust(env, address, workdir, seconds, people, during=None):
    """locust headless with `people` people for `seconds`; `during(elapsed)` is called every second meanwhile."""
    prefix = workdir / "locust"
    locust_env = {**env, "LOAD_DATA": str(workdir / "data.json"), "LOAD_TOLD": str(workdir / "told.json")}
    log = open(workdir / "locust.log", "w")  # noqa: SIM115 (closed once locust has ended)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "locust", "-f", str(common.ROOT / "benchmarks" / "locustfile.py"), "--headless",
            "--users", str(people), "--spawn-rate", "10", "--run-time", f"{seconds}s", "--host", address,
            "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0",
        ],
        cwd=common.ROOT, env=locust_env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    started = time.monotonic()
    while process.poll() is None:
        if time.monotonic() - started > seconds + 120:
            process.kill()
            raise RuntimeError("locust ne s'est pas arrêté")
        if during:
            during(time.monotonic() - started)
        time.sleep(1)
    log.close()
    with open(f"{prefix}_stats.csv") as stats:
        rows = list(csv.DictReader(stats))
    failures = []
    with contextlib.suppress(FileNotFoundError), open(f"{prefix}_failures.csv") as failed:
        failures = list(csv.DictReader(failed))
    told = json.loads((workdir / "told.json").read_text())
    return rows, failures, told


def check(env, told):
    """What the database says after the run, read by a child process with Django set up."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--check"],
        cwd=common.ROOT, env=env, input=json.dumps(told), check=True, capture_output=True, text=True, timeout=300,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def check_in_this_process(told):
    import django

    django.setup()
    from django.db.models import Count, Q

    from formations.models import Session
    from inscriptions.models import Application, Payment, PaymentStatus
    from inscriptions.workflow import HOLDS_SEAT

    sessions = Session.objects.annotate(holders=Count("applications", filter=Q(applications__status__in=HOLDS_SEAT)))
    overbooked = [s.pk for s in sessions if s.holders > s.capacity or s.seats_taken != s.holders]
    # Money kept without a seat: paid for an application that holds none, and no refund owed, sent or confirmed.
    kept = Payment.objects.filter(status=PaymentStatus.PAID, refunds__isnull=True).exclude(
        application__status__in=HOLDS_SEAT
    )
    paid_twice = (
        Application.objects.annotate(paid=Count("payments", filter=Q(payments__status=PaymentStatus.PAID)))
        .filter(paid__gt=1)
        .count()
    )
    saved = set(Application.objects.filter(pk__in=told).values_list("pk", flat=True))
    return {
        "applications": Application.objects.filter(learner__user__username__startswith="charge").count(),
        "holders": sum(s.holders for s in sessions),
        "paid": Payment.objects.filter(status=PaymentStatus.PAID).count(),
        "overbooked_sessions": overbooked,
        "paid_without_seat": kept.count(),
        "paid_twice": paid_twice,
        "told_sent": len(told),
        "lost": sorted(set(told) - saved),
    }


# --- The two runs -------------------------------------------------------------------------------


def one_run(database_url, seconds, people, restart=None):
    with tempfile.TemporaryDirectory() as tmp, stripe_stand_in() as stripe_base:
        workdir = Path(tmp)
        env = environment(database_url, workdir, stripe_base)
        prepare(env, workdir, people)
        with served(env, workdir) as (address, worker):
            restarted = []

            def during(elapsed):
                if restart and not restarted and elapsed >= seconds / 2:
                    restarted.append(restart())

            rows, failures, told = run_locust(env, address, workdir, seconds, people, during)
            worker_alive = worker.poll() is None
        result = check(env, told)
        result.update(
            pages=[row for row in rows if row["Name"] != "Aggregated"],
            total=next(row for row in rows if row["Name"] == "Aggregated"),
            failures=failures,
            worker_alive=worker_alive,
            restart_seconds=restarted[0] if restarted else None,
        )
        if os.environ.get("BENCH_KEEP_LOGS"):
            for name in ("server.log", "locust.log", "locust_failures.csv"):
                with contextlib.suppress(FileNotFoundError):
                    shutil.copy(workdir / name, Path(os.environ["BENCH_KEEP_LOGS"]) / name)
        return result


def report(normal, restarted, seconds, people):
    lines = [
        HEADING,
        "",
        f"Mesuré le {datetime.date.today():%d/%m/%Y} sur {common.machine()}, avec `make bench` "
        "(`python -m benchmarks.load`).",
        f"locust, {people} personnes simulées pendant {seconds} s (20 jeunes pour 1 équipe, deux équipes), contre "
        f"gunicorn (gunicorn.conf.py, {GUNICORN_WORKERS} processus), le worker des tâches, PostgreSQL et "
        f"Redis, réglages de production ; {SESSIONS} sessions payantes de {CAPACITY} places pour lesquelles elles "
        "se pressent ; Stripe remplacé sur la boucle locale par un serveur qui répond comme son API, ses webhooks "
        "signés comme Stripe les signe (un sur cinq envoyé deux fois). Le client et le serveur partagent les deux "
        "cœurs : les temps sont ceux d'une machine chargée.",
        "",
        "| page | requêtes | échecs | médiane (ms) | p95 (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in normal["pages"]:
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} |"
        )
    total = normal["total"]
    lines += [
        f"| **toutes** | {total['Request Count']} | {total['Failure Count']} | {total['50%']} | {total['95%']} |",
        "",
        *verdict("Sans incident", normal),
    ]
    if restarted:
        total = restarted["total"]
        lines += [
            "",
            *verdict(
                f"PostgreSQL redémarré à mi-parcours (`pg_ctl restart -m fast`, {restarted['restart_seconds']:.1f} s)",
                restarted,
            ),
            f"  {total['Request Count']} requêtes, {total['Failure Count']} en échec pendant le redémarrage "
            f"({failure_summary(restarted['failures'])}).",
        ]
    return "\n".join(lines) + "\n"


def verdict(title, result):
    return [
        f"- {title} : {result['total']['Failure Count']} échec(s) sur {result['total']['Request Count']} requêtes, "
        f"dont {server_errors(result['failures'])} erreur(s) 500 ; "
        f"{result['told_sent']} candidatures annoncées envoyées, {len(result['lost'])} perdue(s) ; "
        f"{result['holders']} places occupées, {len(result['overbooked_sessions'])} session(s) en surréservation ; "
        f"{result['paid']} paiements reçus, {result['paid_without_seat']} sans place ni remboursement, "
        f"{result['paid_twice']} place(s) payée(s) deux fois ; worker des tâches "
        f"{'toujours en vie' if result['worker_alive'] else 'ARRÊTÉ'} à la fin.",
    ]


def server_errors(failures):
    return sum(int(row["Occurrences"]) for row in failures if "500 Server Error" in row["Error"])


def failure_summary(failures):
    """Per page, how many failed and how: the HTTP status, or the connection error."""
    if not failures:
        return "aucun"
    described = []
    for row in failures:
        status = re.search(r"\b([45]\d\d) (?:Client|Server) Error", row["Error"])
        described.append(f"{row['Name']} : {row['Occurrences']} × {status.group(1) if status else row['Error'][:40]}")
    return ", ".join(described)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", help="Markdown file to update (e.g. docs/benchmarks.md)")
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--no-restart", action="store_true", help="skip the run with PostgreSQL restarted")
    parser.add_argument("--seed-people", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_people:
        seed_people(args.seed_people)
        return
    if args.check:
        print(json.dumps(check_in_this_process(json.load(sys.stdin))))
        return
    url = common.postgres_database_url("tremplin_load")
    if url is None:
        sys.exit("La mesure de charge demande PostgreSQL sur 127.0.0.1:5432.")
    normal = one_run(url, args.seconds, args.people)
    restarted = None
    if not args.no_restart:
        # A cluster of the run's own (the one the tests restart too): the shared server is never restarted.
        cluster = PrivateCluster().start()
        try:
            restarted = one_run(cluster.url, args.seconds, args.people, restart=lambda: timed(cluster.restart))
        finally:
            cluster.stop()
    section = report(normal, restarted, args.seconds, args.people)
    print(section)
    if args.write:
        common.write_section(args.write, section, HEADING)


if __name__ == "__main__":
    main()
