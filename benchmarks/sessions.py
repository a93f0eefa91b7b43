"""A session's staff pages benchmark: its people (list and export), its attendance (overview, one half-day's sheet,
the sheet for signatures). First a full session of 30 people while the rest of the database grows tenfold (the
house rule: median less than doubled, same SQL queries); then the same database with a session ten times larger,
reported as the cost of each person added, since these pages show the whole session.

`make bench` runs one pass per database (SQLite always, PostgreSQL when it answers on loopback), each in its own
process and on its own throw-away database, and writes its section of docs/benchmarks.md. The pages are requested
as the team of one campus (Django's test client, full stack, no network). The session started four weeks ago and
lasts twelve; its people in training have four weeks of marks, morning and afternoon, five days a week. Around it,
the other sessions hold 1,000 then 10,000 applications, and their people in training as many marks. Fixtures are
raw bulk inserts: fast, and not a test of the pipeline.
"""

import datetime
import os
import time

from benchmarks import common
from benchmarks.applications import FIRST_NAMES, LAST_NAMES, add_applications

# People of the measured session : applications over the other sessions, in three steps: the database grows, then
# the session. BENCH_SESSION_SIZES=10:100,10:1000,100:1000 for a quick smoke run.
SIZES = tuple(
    tuple(int(number) for number in size.split(":"))
    for size in os.environ.get("BENCH_SESSION_SIZES", "30:1000,30:10000,300:10000").split(",")
)
WARMUP, SAMPLES = 3, 20
CAMPUS_SLUG = "aubervilliers"
WEEKS_FILLED, WEEKS_LONG = 4, 12
HEADING = "### Pages d’une session pour l’équipe : personnes et présences"
# Another benchmark may be using common.POSTGRES_BENCH_DB on the same server at the same time.
common.POSTGRES_BENCH_DB = os.environ.get("BENCH_SESSION_POSTGRES_DB", common.POSTGRES_BENCH_DB)


def status_of(n):
    """Of ten people: six in training, one who dropped out, one enrolled, one admitted, one who just applied."""
    from inscriptions.workflow import Status

    others = [Status.DROPPED_OUT, Status.ENROLLED, Status.ADMITTED, Status.SUBMITTED]
    return others[n % 10 - 6] if n % 10 >= 6 else Status.IN_TRAINING


def class_days(session):
    """The weekdays of the session's first WEEKS_FILLED weeks."""
    days = [session.start_date + datetime.timedelta(days=n) for n in range(7 * WEEKS_FILLED)]
    return [day for day in days if day.weekday() < 5]


def mark(n, index, days):
    """Mostly present; an absence now and then, an excused one less often, and every tenth person (from the
    sixth) absent the last three days: a long absence for the overview to flag."""
    from inscriptions.enums import AttendanceStatus

    if n % 10 == 5 and index >= len(days) - 3:
        return AttendanceStatus.ABSENT
    if (n + index) % 11 == 0:
        return AttendanceStatus.ABSENT
    if (n + index) % 17 == 0:
        return AttendanceStatus.EXCUSED
    return AttendanceStatus.PRESENT


def add_marks(applications, days):
    """Bulk-insert a mark per half-day of `days` for each of these applications in training (until they left)."""
    from formations.enums import HalfDayPart
    from inscriptions.models import Attendance
    from inscriptions.workflow import ENTERED_TRAINING

    hours = {HalfDayPart.MORNING: "3.50", HalfDayPart.AFTERNOON: "3.50"}
    Attendance.objects.bulk_create(
        (
            Attendance(application_id=application.pk, day=day, part=part, status=mark(n, index, days), hours=length)
            for n, application in enumerate(applications)
            if application.status in ENTERED_TRAINING
            for index, day in enumerate(days)
            if application.left_on is None or day <= application.left_on
            for part, length in hours.items()
        ),
        batch_size=5000,
    )


def add_people(session, count, offset):
    """Bulk-insert `count` people (with accounts) applying to `session`, statuses as `status_of`, and their marks."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from inscriptions.enums import Diploma, Situation
    from inscriptions.models import Application, Learner
    from inscriptions.workflow import DECIDED, ENTERED_TRAINING, LEFT_TRAINING

    User = get_user_model()
    now = timezone.now()
    days = class_days(session)
    started = timezone.make_aware(datetime.datetime.combine(session.start_date, datetime.time(9)))
    users = User.objects.bulk_create(
        User(username=f"personne{offset + n}", email=f"personne{offset + n}@exemple.fr", password="!")
        for n in range(count)
    )
    today = timezone.localdate()
    learners = Learner.objects.bulk_create(
        Learner(
            user=user,
            first_name=FIRST_NAMES[(offset + n) % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(offset + n) // len(FIRST_NAMES) % len(LAST_NAMES)],
            phone=f"06 12 34 {(offset + n) // 100 % 100:02d} {(offset + n) % 100:02d}",
            # One in eight is 17: the list shows a guardian.
            birth_date=today.replace(year=today.year - (17 if (offset + n) % 8 == 0 else 19 + n % 10)),
            guardian_name="Nadia Benali" if (offset + n) % 8 == 0 else "",
            guardian_email="nadia.benali@exemple.fr" if (offset + n) % 8 == 0 else "",
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
            session=session,
            campus_id=session.campus_id,
            status=status,
            motivation="Je veux travailler dans le numérique.",
            age_on_submission=18,
            submitted_at=started - datetime.timedelta(days=30, hours=offset + n),
            status_changed_at=started if status in ENTERED_TRAINING else now,
            decided_at=started - datetime.timedelta(days=10) if status in DECIDED else None,
            started_on=session.start_date if status in ENTERED_TRAINING else None,
            # Dropped out at the end of the third week.
            left_on=days[14] if status in LEFT_TRAINING else None,
        )
        for n, learner in enumerate(learners)
        for status in [status_of(offset + n)]
    )
    add_marks(applications, days)


def add_others(session, count):
    """Top the other sessions up to `count` applications, and mark their people in training on the same days."""
    from formations.models import Session
    from inscriptions.models import Application

    others = Application.objects.exclude(session=session)
    before = set(others.values_list("pk", flat=True))
    add_applications(count - len(before), len(before), sessions=list(Session.objects.exclude(pk=session.pk)))
    add_marks(list(others.exclude(pk__in=before).order_by("pk")), class_days(session))


def bench_session(campus):
    """A new session of one of the campus's formations, begun four Mondays ago, twelve weeks long."""
    from django.utils import timezone

    from formations.models import Session

    today = timezone.localdate()
    start = today - datetime.timedelta(days=today.weekday() + 7 * WEEKS_FILLED)
    formation = Session.objects.filter(campus=campus).order_by("pk").first().formation
    return Session.objects.create(
        formation=formation,
        start_date=start,
        end_date=start + datetime.timedelta(weeks=WEEKS_LONG, days=-3),
        application_deadline=start - datetime.timedelta(days=7),
        capacity=max(people for people, _others in SIZES),
        applications_open=False,
    )


def measure():
    """Seed the catalogue, a campus team and the measured session; top everything up to each size; time each page."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from campus.models import CampusPage
    from formations.enums import HalfDayPart
    from inscriptions.models import Application, Attendance

    call_command("seed_demo", no_users=True, verbosity=0)
    campus = CampusPage.objects.get(slug=CAMPUS_SLUG)
    staff, _ = get_user_model().objects.get_or_create(username="equipe.bench", defaults={"email": "equipe@bench.fr"})
    staff.groups.add(campus.staff_group)
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    session = bench_session(campus)
    # The last half-day filled: the Friday afternoon of the fourth week.
    last_day = class_days(session)[-1]
    urls = {
        "personnes": reverse("inscriptions_admin:session_people", args=[session.pk]),
        "personnes en CSV": reverse("inscriptions_admin:session_people_export", args=[session.pk]) + "?format=csv",
        "personnes en XLSX": reverse("inscriptions_admin:session_people_export", args=[session.pk]) + "?format=xlsx",
        "présences": reverse("inscriptions_admin:attendance", args=[session.pk]),
        "feuille d’une demi-journée": reverse(
            "inscriptions_admin:attendance_sheet", args=[session.pk, last_day.isoformat(), HalfDayPart.AFTERNOON]
        ),
        "émargement de la session (XLSX)": reverse("inscriptions_admin:attendance_xlsx", args=[session.pk]),
    }

    results = []
    for people, others in SIZES:
        started = time.perf_counter()
        present = session.applications.count()
        add_people(session, people - present, present)
        add_others(session, others)
        seed_seconds = time.perf_counter() - started
        results += common.time_requests(
            client,
            urls,
            warmup=WARMUP,
            samples=SAMPLES,
            size=people,
            others=Application.objects.exclude(session=session).count(),
            marks=Attendance.objects.filter(application__session=session).count(),
            all_marks=Attendance.objects.count(),
            seed_seconds=seed_seconds,
        )
    return results


def cells(row):
    request = f"{row['label']} (`{row['url'].split('/admin/candidatures/')[-1]}`)"
    return request, (
        f"{common.thousands(row['size'])} ({common.thousands(row['marks'])} ; "
        f"{common.thousands(row['others'])} ; {common.thousands(row['all_marks'])})"
    )


def step_rows(rows, people, others):
    return {row["label"]: row for row in rows if row["size"] == people and row["others"] == others}


def verdicts(passes):
    """Per page and database: the rule when the database grows around a full session, then the cost of each person
    added when the session itself grows."""
    (small_people, small_others), (_people, large_others), (large_people, _others) = SIZES
    growth, cost = [], []
    for result in passes:
        vendor, rows = common.VENDORS[result["vendor"]], result["results"]
        # The measured session is left out of "others" by measure(): its own people are counted apart.
        before, after = (
            step_rows(rows, small_people, small_others),
            step_rows(rows, small_people, large_others),
        )
        larger = step_rows(rows, large_people, large_others)
        for label, small in before.items():
            large, widest = after[label], larger[label]
            ratio = large["median_ms"] / small["median_ms"]
            same = small["queries"] == large["queries"] == widest["queries"]
            growth.append(
                f"- {vendor}, {label} : médiane ×{ratio:.2f} quand les autres candidatures passent de "
                f"{common.thousands(small_others)} à {common.thousands(large_others)} (objectif < ×2 : "
                f"{'atteint' if ratio < 2 else 'MANQUÉ'}) ; requêtes SQL {'identiques' if same else 'DIFFÉRENTES'} "
                f"aux trois tailles ({small['queries']} → {large['queries']} → {widest['queries']})."
            )
            per_person = (widest["median_ms"] - large["median_ms"]) / (large_people - small_people)
            cost.append(
                f"- {vendor}, {label} : ×{widest['median_ms'] / large['median_ms']:.2f} de "
                f"{small_people} à {large_people} personnes, {per_person:.2f} ms par personne de plus ; réponse "
                f"×{widest['bytes'] / large['bytes']:.1f} en octets."
            )
    return growth, cost


def report(passes):
    (small_people, small_others), (_people, large_others), (large_people, _others) = SIZES
    lines = [
        HEADING,
        "",
        f"Mesuré le {datetime.date.today():%d/%m/%Y} sur {common.machine()}, avec `make bench`.",
        f"Connecté·e comme l’équipe d’un campus. Une session commencée il y a {WEEKS_FILLED} semaines, de "
        f"{WEEKS_LONG} semaines : six personnes sur dix en formation, une sortie en cours de route (fin de la "
        "troisième semaine), une inscrite, une admise, une candidate. Les personnes en formation ont "
        f"{WEEKS_FILLED} semaines de présences, matin et après-midi, cinq jours par semaine. Trois mesures : une "
        f"session pleine de {small_people} personnes avec {common.thousands(small_others)} candidatures autour, la "
        f"même avec {common.thousands(large_others)} candidatures autour (leurs personnes en formation notées les "
        f"mêmes jours), puis une session de {large_people} personnes dans cette grande base.",
        f"Client de test Django (toute la pile), {SAMPLES} requêtes par ligne après {WARMUP} d’échauffement ; "
        "médiane et 90e centile en millisecondes ; requêtes SQL par requête HTTP ; octets de la réponse. La "
        "feuille d’une demi-journée est celle du dernier vendredi noté, après-midi ; l’émargement couvre toute "
        f"la session ({WEEKS_LONG * 10} demi-journées). Sur 2 cœurs partagés, comparez plusieurs passages.",
        "",
        "| base | page | personnes (présences de la session ; autres candidatures ; présences en tout) "
        "| médiane (ms) | p90 (ms) | requêtes SQL | octets HTML |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in passes:
        vendor = common.VENDORS[result["vendor"]]
        for row in result["results"]:
            request, size = cells(row)
            queries = "/".join(str(q) for q in row["queries"])
            lines.append(
                f"| {vendor} | {request} | {size} | {row['median_ms']:.1f} | {row['p90_ms']:.1f} | {queries} "
                f"| {common.thousands(row['bytes'])} |"
            )
    growth, cost = verdicts(passes)
    return "\n".join(
        [
            *lines,
            "",
            "La base grandit autour d’une session pleine (la règle : médiane moins que doublée, mêmes requêtes) :",
            "",
            *growth,
            "",
            "Ces pages montrent toute la session, sans pagination : la liste du premier jour, la feuille d’une "
            "demi-journée (tout le groupe se coche d’un coup) et l’émargement à imprimer contiennent chaque personne, "
            "et l’émargement une case par personne et par demi-journée. Une session dix fois plus grande (au-delà de "
            "toute session réelle) donne une réponse plusieurs fois plus longue : ces pages-là grandissent avec la "
            "session, pas avec la base, et nous ne prétendons pas à « moins de ×2 » pour elles. Ce qui tient : le "
            "nombre de requêtes SQL ne bouge pas, et chaque personne ajoutée coûte autant que la précédente (tests "
            "`test_query_counts_do_not_grow_with_people_or_days`, "
            "`test_the_query_count_does_not_grow_with_the_number_of_people` et "
            "`test_the_sheet_for_signatures_costs_the_same_for_each_line`) :",
            "",
            *cost,
            "",
            "Corrigé à la suite de cette mesure (300 personnes, SQLite, même charge de la machine avant et après) : "
            "l’émargement en XLSX demandait au tableur sa dernière ligne à chaque ligne écrite (un parcours de toutes"
            " les cases : chaque ligne coûtait toutes celles d’avant) et créait des styles case par case, 1 425 → 524"
            " ms ; il s’écrit maintenant en flux, ligne après ligne, sans garder les cases (encore un quart de moins "
            "à 210 personnes en formation) ; la feuille d’une demi-journée écrit ses boutons radio dans la page au "
            "lieu du gabarit du widget (même HTML), 152 → 67 ms ; la page des présences compte les présences par "
            "demi-journée dans la base (une ligne lue par demi-journée notée au lieu d’une par présence, 8 100 à 300 "
            "personnes) ; la liste des personnes et ses exports lisent le libellé du statut sans reconstruire la "
            "liste des choix à chaque ligne.",
            "",
        ]
    )


if __name__ == "__main__":
    common.main(
        "benchmarks.sessions",
        __doc__,
        measure=measure,
        report=report,
        heading=HEADING,
        env={"TASKS_BACKEND": "immediate"},
    )
