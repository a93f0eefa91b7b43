"""Follow-up import benchmark: 10,000 placement follow-ups imported with full validation, against a raw bulk_create.

`make bench` runs one pass per database (SQLite always, PostgreSQL when it answers on loopback), each in its own
process and on its own throw-away database. In the same run, the same 10,000 rows are inserted by a raw
`FollowUp.objects.bulk_create` (objects already built) and imported from a CSV file the way staff do it
(reading the file, checking every cell and every application, looking up ROME codes, writing): the import must
reach at least 40 % of the raw rate. Each is timed several times, alternating, on an empty table; medians kept.
"""

import datetime
import os
import statistics
import time

from benchmarks import common

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "5"))
TARGET = 0.40
CAMPUS_SLUG = "aubervilliers"
HEADING = "### Import des suivis de sortie"
HEADER = [
    "n° de candidature",
    "moment",
    "situation",
    "employeur ou organisme",
    "intitulé du poste ou de la formation",
    "depuis le",
    "code ROME",
]
PLACEMENTS = ["CDI", "CDD de 6 mois ou plus", "Alternance ou apprentissage", "Formation qualifiante", "Intérim"]
EMPLOYERS = ["Orange", "La Poste", "Mairie de Saint-Denis", "Capgemini", "AFPA", "Free", "SNCF"]


def add_leavers(campus, count):
    """Bulk-insert `count` learners who left the campus's training 14 months ago: every milestone is due."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from formations.models import Session
    from inscriptions.enums import Diploma, Situation
    from inscriptions.models import Application, Learner
    from inscriptions.workflow import Status

    User = get_user_model()
    sessions = list(Session.objects.filter(campus=campus).order_by("pk"))
    now, left_on = timezone.now(), timezone.localdate() - datetime.timedelta(days=430)
    users = User.objects.bulk_create(
        User(username=f"sortant{n}", email=f"sortant{n}@exemple.fr", password="!") for n in range(count)
    )
    learners = Learner.objects.bulk_create(
        Learner(
            user=user,
            first_name="Prénom",
            last_name=f"Nom{n}",
            birth_date=datetime.date(2000 + n % 8, 1 + n % 12, 1 + n % 28),
            postcode="93300",
            commune="Aubervilliers",
            diploma=Diploma.CAP_BEP,
            situation=Situation.JOB_SEEKER_REGISTERED,
            consent_at=now,
        )
        for n, user in enumerate(users)
    )
    return Application.objects.bulk_create(
        Application(
            learner=learner,
            session=sessions[n % len(sessions)],
            campus=campus,
            status=Status.COMPLETED,
            motivation="Je veux travailler dans le numérique.",
            submitted_at=now,
            status_changed_at=now,
            decided_at=now,
            left_on=left_on,
        )
        for n, learner in enumerate(learners)
    )


def csv_file(applications, rome_codes):
    lines = [";".join(HEADER)]
    for n, application in enumerate(applications):
        started = datetime.date(2025, 1 + n % 12, 1 + n % 28)
        lines.append(
            ";".join(
                [
                    str(application.pk),
                    "6 mois",
                    PLACEMENTS[n % len(PLACEMENTS)],
                    EMPLOYERS[n % len(EMPLOYERS)],
                    "Technicien·ne support",
                    f"{started:%d/%m/%Y}",
                    rome_codes[n % len(rome_codes)] if rome_codes else "",
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def raw_objects(applications, rome_pks, staff):
    """The same rows as FollowUp objects, already typed: what a raw bulk_create is given."""
    from django.utils import timezone

    from inscriptions.enums import FollowUpSource, Placement
    from inscriptions.models import FollowUp

    placements = [Placement.CDI, Placement.CDD_LONG, Placement.ALTERNANCE, Placement.TRAINING, Placement.INTERIM]
    now = timezone.now()
    return [
        FollowUp(
            application_id=application.pk,
            milestone=6,
            placement=placements[n % len(placements)],
            employer=EMPLOYERS[n % len(EMPLOYERS)],
            job_title="Technicien·ne support",
            rome_id=rome_pks[n % len(rome_pks)] if rome_pks else None,
            start_date=datetime.date(2025, 1 + n % 12, 1 + n % 28),
            source=FollowUpSource.IMPORT,
            recorded_by=staff,
            recorded_at=now,
        )
        for n, application in enumerate(applications)
    ]


def measure():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from campus.models import CampusPage
    from formations.models import RomeCode
    from home.spreadsheets import read_table
    from inscriptions.imports import FollowUpImport
    from inscriptions.models import FollowUp

    call_command("seed_demo", no_users=True, verbosity=0)
    campus = CampusPage.objects.get(slug=CAMPUS_SLUG)
    staff, _ = get_user_model().objects.get_or_create(username="equipe.bench", defaults={"email": "equipe@bench.fr"})
    staff.groups.add(campus.staff_group)
    applications = add_leavers(campus, ROWS)
    romes = list(RomeCode.objects.order_by("code").values_list("code", "pk")[:50])
    data = csv_file(applications, [code for code, _pk in romes])

    raw_seconds, import_seconds = [], []
    for _run in range(RUNS):
        objects = raw_objects(applications, [pk for _code, pk in romes], staff)
        started = time.perf_counter()
        with transaction.atomic():
            FollowUp.objects.bulk_create(objects)
        raw_seconds.append(time.perf_counter() - started)
        assert FollowUp.objects.count() == ROWS
        FollowUp.objects.all().delete()

        started = time.perf_counter()
        plan = FollowUpImport(campus=campus, user=staff).prepare(read_table(data, "suivis.csv"))
        assert plan.is_valid, [str(error) for error in plan.errors[:5]]
        plan.write()
        import_seconds.append(time.perf_counter() - started)
        assert FollowUp.objects.count() == ROWS
        FollowUp.objects.all().delete()

    # Re-importing the same file: every row checked, nothing written.
    plan = FollowUpImport(campus=campus, user=staff).prepare(read_table(data, "suivis.csv"))
    plan.write()
    started = time.perf_counter()
    plan = FollowUpImport(campus=campus, user=staff).prepare(read_table(data, "suivis.csv"))
    plan.write()
    reimport_seconds = time.perf_counter() - started
    assert plan.counts()["unchanged"] == ROWS
    raw, full = statistics.median(raw_seconds), statistics.median(import_seconds)
    return [
        {
            "rows": ROWS,
            "runs": RUNS,
            "vendor": connection.vendor,
            "raw_seconds": raw,
            "import_seconds": full,
            "reimport_seconds": reimport_seconds,
            "raw_rate": ROWS / raw,
            "import_rate": ROWS / full,
            "ratio": raw / full,
        }
    ]


def report(passes):
    lines = [
        f"{HEADING} (n° de candidature, moment, situation, employeur, poste, date, code ROME)",
        "",
        f"Mesuré le {datetime.date.today():%d/%m/%Y} sur {common.machine()}, avec `make bench`.",
        "Dans le même passage, les mêmes lignes sont insérées par un `bulk_create` brut (objets déjà construits) "
        "puis importées depuis un CSV Windows-1252 à `;` comme le fait l’équipe : lecture du fichier, contrôle de "
        "chaque cellule, des candidatures (campus, sortie de formation) et des codes ROME, écriture. Médiane de "
        f"{RUNS} passages alternés sur une table vide. Objectif : l’import à {TARGET:.0%} au moins du débit brut.",
        "",
        "| base | lignes | `bulk_create` brut (s) | brut (lignes/s) | import complet (s) | import (lignes/s) "
        "| rapport | réimport identique (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for result in passes:
        vendor = common.VENDORS[result["vendor"]]
        for row in result["results"]:
            lines.append(
                f"| {vendor} | {common.thousands(row['rows'])} | {row['raw_seconds']:.2f} "
                f"| {common.thousands(round(row['raw_rate']))} | {row['import_seconds']:.2f} "
                f"| {common.thousands(round(row['import_rate']))} | {row['ratio']:.0%} "
                f"| {row['reimport_seconds']:.2f} |"
            )
            verdicts.append(
                f"- {vendor} : import à {row['ratio']:.0%} du débit brut (objectif ≥ {TARGET:.0%} : "
                f"{'atteint' if row['ratio'] >= TARGET else 'MANQUÉ'})."
            )
    return "\n".join([*lines, "", *verdicts, ""])


if __name__ == "__main__":
    common.main(
        "benchmarks.imports",
        __doc__,
        measure=measure,
        report=report,
        heading=HEADING,
        env={"TASKS_BACKEND": "immediate"},
    )
