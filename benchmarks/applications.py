"""Staff list of applications benchmark: median response time and SQL queries at 1,000 and 10,000 applications.

`make bench` runs one pass per database (SQLite always, PostgreSQL when it answers on loopback), each in
its own process and on its own throw-away database, and writes its section of docs/benchmarks.md.
The page is the admin list named `inscriptions_admin:index`, requested as the team of one campus
(Django's test client, full stack, no network). Fixtures are raw bulk inserts: fast, and not a test
of the pipeline.
"""

import datetime
import os
import time

from benchmarks import common

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


def add_applications(count, offset, sessions=None):
    """Bulk-insert `count` learners (with accounts) and one application each, spread over `sessions` (else every
    session)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from formations.models import Session
    from inscriptions.enums import Diploma, Situation
    from inscriptions.models import Application, Learner, StatusChange
    from inscriptions.workflow import DECIDED, LEFT_TRAINING, Role, Status

    User = get_user_model()
    sessions = sessions or list(Session.objects.order_by("pk"))
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
            status=status,
            motivation="Je veux travailler dans le numérique.",
            age_on_submission=18 + n % 12,
            submitted_at=now - datetime.timedelta(hours=offset + n),
            status_changed_at=now - datetime.timedelta(hours=offset + n),
            decided_at=now - datetime.timedelta(hours=offset + n) if status in DECIDED else None,
            waitlisted_at=now - datetime.timedelta(hours=offset + n) if status == Status.WAITLISTED else None,
            left_on=now.date() if status in LEFT_TRAINING else None,
        )
        for n, learner in enumerate(learners)
        for status in [statuses[(offset + n) // len(sessions) % len(statuses)]]
    )
    StatusChange.objects.bulk_create(
        StatusChange(
            application=application, to_status=Status.SUBMITTED, role=Role.LEARNER, created_at=application.submitted_at
        )
        for application in applications
    )


def measure():
    """Seed the catalogue and a campus team, top the applications up to each size, time each request."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from campus.models import CampusPage
    from inscriptions.models import Application

    call_command("seed_demo", no_users=True, verbosity=0)
    campus = CampusPage.objects.get(slug=CAMPUS_SLUG)
    staff, _ = get_user_model().objects.get_or_create(username="equipe.bench", defaults={"email": "equipe@bench.fr"})
    staff.groups.add(campus.staff_group)
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    index = reverse("inscriptions_admin:index")
    urls = {label: index + query for label, query in REQUESTS.items()}

    results = []
    for size in SIZES:
        started = time.perf_counter()
        add_applications(size - Application.objects.count(), Application.objects.count())
        seed_seconds = time.perf_counter() - started
        visible = Application.objects.visible_to(staff).count()
        results += common.time_requests(
            client, urls, warmup=WARMUP, samples=SAMPLES, size=size, visible=visible, seed_seconds=seed_seconds
        )
    return results


def cells(row):
    request = f"{row['label']} (`{row['url'].split('/')[-1] or '/'}`)"
    return request, f"{common.thousands(row['size'])} ({common.thousands(row['visible'])})"


def report(passes):
    return common.report(
        passes,
        title=f"{HEADING} `/admin/candidatures/`",
        intro=[
            f"Connecté·e comme l’équipe d’un campus (elle voit ses candidatures : environ un quart du total). "
            f"Client de test Django (toute la pile), {SAMPLES} requêtes par ligne après {WARMUP} d’échauffement ; "
            "médiane et 90e centile en millisecondes ; requêtes SQL par requête HTTP ; 50 lignes par page.",
            "Le filtre (trois statuts « à traiter ») et la recherche remplissent une page de 50 aux deux tailles ; "
            "la page 5 n’a que 34 lignes à 1 000 candidatures (234 visibles). Sur 2 cœurs partagés, un rapport "
            "inférieur à 1 est du bruit : comparez plusieurs passages.",
        ],
        columns=("requête", "candidatures (visibles)"),
        cells=cells,
        noun="candidatures",
    )


if __name__ == "__main__":
    common.main(
        "benchmarks.applications",
        __doc__,
        measure=measure,
        report=report,
        heading=HEADING,
        env={"TASKS_BACKEND": "immediate"},
    )
