"""Funder export benchmark: time and peak memory of the participant file in CSV and XLSX, at 100,000 participants.

`make bench` runs one pass per database (SQLite always, PostgreSQL when it answers on loopback), each on its own
throw-away database. The seed is raw bulk inserts (one application per learner, follow-ups for the leavers),
all in the scope of one agreement. Each export runs the background job's code path (`financeurs.exports.write`
into a temporary file) in a fresh child process, so that its memory is its own: just before the export the child
resets its resident-set high-water mark (Linux `/proc/self/clear_refs`) and reads its resident set, then reads
the high-water mark after it (`VmRSS`, `VmHWM` of `/proc/self/status`: everything Python, the database driver and
openpyxl hold). `getrusage().ru_maxrss` would not do: Linux carries it over from the parent across fork and exec.
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

from benchmarks import common

# BENCH_EXPORT_SIZES=2000 for a quick smoke run.
SIZES = tuple(int(size) for size in os.environ.get("BENCH_EXPORT_SIZES", "10000,100000").split(","))
FORMATS = ("csv", "xlsx")
# Targets at 100,000 participants (issue 5): seconds, and megabytes of peak memory.
TARGETS = {"csv": (4, 150), "xlsx": (20, 250)}
AGREEMENT_REFERENCE = "BENCH-EXPORTS"
HEADING = "### Exports des financeurs"
# Another benchmark may be using common.POSTGRES_BENCH_DB on the same server at the same time.
common.POSTGRES_BENCH_DB = os.environ.get("BENCH_EXPORT_POSTGRES_DB", common.POSTGRES_BENCH_DB)


def seed(count, offset):
    """Bulk-insert `count` learners, one application each over every session, and follow-ups for leavers."""
    from django.utils import timezone

    from formations.models import Session
    from inscriptions.enums import Diploma, FollowUpMilestone, Gender, Placement, QpvResidence, Situation
    from inscriptions.models import Application, EntryAnswers, FollowUp, Learner
    from inscriptions.workflow import DECIDED, LEFT_TRAINING, Status

    sessions = list(Session.objects.order_by("pk"))
    statuses, placements = list(Status), list(Placement)
    genders, diplomas, situations = list(Gender), list(Diploma), list(Situation)
    now = timezone.now()
    learners = Learner.objects.bulk_create(
        (
            Learner(
                first_name=f"Prénom{offset + n}",
                last_name=f"Nom{offset + n}",
                birth_date=datetime.date(1995 + n % 12, 1 + n % 12, 1 + n % 28),
                gender=genders[n % len(genders)],
                postcode="93300",
                commune="Aubervilliers",
                qpv_residence=QpvResidence.YES if n % 2 else QpvResidence.NO,
                diploma=diplomas[n % len(diplomas)],
                situation=situations[n % len(situations)],
                consent_at=now,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    # RQTH is asked after admission and kept apart from the profile.
    EntryAnswers.objects.bulk_create(
        (
            EntryAnswers(learner=learner, rqth=True, answered_at=now)
            for n, learner in enumerate(learners)
            if n % 17 == 0
        ),
        batch_size=2000,
    )

    def application(n, learner):
        session = sessions[(offset + n) % len(sessions)]
        status = statuses[(offset + n) // len(sessions) % len(statuses)]
        return Application(
            learner=learner,
            session=session,
            campus_id=session.campus_id,
            status=status,
            motivation="Je veux travailler dans le numérique.",
            age_on_submission=17 + n % 20,
            submitted_at=now - datetime.timedelta(hours=offset + n),
            decided_at=now if status in DECIDED else None,
            waitlisted_at=now if status == Status.WAITLISTED else None,
            left_on=session.end_date if status in LEFT_TRAINING else None,
        )

    applications = Application.objects.bulk_create(
        (application(n, learner) for n, learner in enumerate(learners)), batch_size=2000
    )
    follow_ups = []
    for n, application in enumerate(applications):
        if application.status in LEFT_TRAINING:
            follow_ups.append(
                FollowUp(
                    application=application,
                    milestone=FollowUpMilestone.EXIT,
                    placement=placements[n % len(placements)],
                    employer="Entreprise Exemple",
                    job_title="Technicien·ne support",
                )
            )
            if n % 2:
                follow_ups.append(
                    FollowUp(
                        application=application,
                        milestone=FollowUpMilestone.SIX_MONTHS,
                        placement=placements[(n + 3) % len(placements)],
                    )
                )
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)


def analyze():
    """Table statistics after the bulk load, as autovacuum would gather them within a minute in production.

    Without them PostgreSQL plans the one-row-per-person anti-join of participants() as nested loops: minutes
    at 100,000 applications instead of a fraction of a second.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def bench_agreement():
    """One agreement over every campus, its period wide enough for every session."""
    from django.db.models import Max, Min

    from campus.models import CampusPage
    from financeurs.enums import FunderKind
    from financeurs.models import Agreement, Funder
    from formations.models import Session

    bounds = Session.objects.aggregate(start=Min("start_date"), end=Max("start_date"))
    funder, _ = Funder.objects.get_or_create(name="Financeur du banc d’essai", defaults={"kind": FunderKind.REGION})
    agreement, created = Agreement.objects.get_or_create(
        reference=AGREEMENT_REFERENCE,
        defaults={
            "funder": funder,
            "title": "Banc d’essai des exports",
            "start_date": bounds["start"],
            "end_date": bounds["end"],
        },
    )
    if created:
        agreement.campuses.set(CampusPage.objects.all())
    return agreement


def export_in_child(file_format):
    """Run one export in a fresh process (same database) and return its JSON figures."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.exports", "--export-child", file_format],
        cwd=common.ROOT,
        env=os.environ,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def memory_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise LookupError(field)


def child(file_format):
    """The child process: warm up everything but the export itself, then time it and read its peak memory."""
    import django

    django.setup()
    import openpyxl  # noqa: F401 (imported before the baseline: a library's code is not the export's memory)

    from financeurs import exports
    from financeurs.indicators import Period
    from financeurs.models import Agreement

    agreement = Agreement.objects.select_related("funder").get(reference=AGREEMENT_REFERENCE)
    period = Period.of_agreement(agreement)
    rows = exports.participant_count(agreement, period)
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # resets VmHWM to the current resident set
    baseline_kib = memory_kib("VmRSS")
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        exports.write(exports.PARTICIPANTS, agreement, period, file_format, out)
        seconds = time.perf_counter() - started
        size = out.tell()
    peak_kib = memory_kib("VmHWM")
    # After the measure: what k-anonymity did to this file (the census again, not timed).
    from financeurs.participant_file import ParticipantResource

    anonymity = ParticipantResource(agreement, period).anonymity
    print(
        json.dumps(
            {
                "format": file_format,
                "rows": rows,
                "seconds": seconds,
                "baseline_mib": baseline_kib / 1024,
                "peak_mib": peak_kib / 1024,
                "increase_mib": (peak_kib - baseline_kib) / 1024,
                "bytes": size,
                "generalisations": anonymity.generalisations,
                "suppressed_rows": anonymity.suppressed_rows,
                "withheld_rows": anonymity.withheld_rows,
            }
        )
    )


def measure():
    from django.core.management import call_command

    from inscriptions.models import Application

    call_command("seed_demo", no_users=True, verbosity=0)
    bench_agreement()
    results = []
    for size in SIZES:
        started = time.perf_counter()
        existing = Application.objects.count()
        seed(size - existing, existing)
        analyze()
        seed_seconds = time.perf_counter() - started
        for file_format in FORMATS:
            results.append({**export_in_child(file_format), "size": size, "seed_seconds": seed_seconds})
    return results


def mib(value):
    return f"{value:.0f}".replace(".", ",")


def report(passes):
    lines = [
        HEADING,
        "",
        f"Mesuré le {datetime.date.today():%d/%m/%Y} sur {common.machine()}, avec `make bench`.",
        "Fichier des participant·es d’une convention (pseudonymisé, k-anonyme avec k = 5 : deux passages sur la "
        "base, le premier compte les combinaisons de quasi-identifiants), écrit par le code de la tâche de fond "
        "(`financeurs.exports.write`) dans un fichier temporaire, chaque export dans un processus neuf. "
        "Mémoire : mémoire résidente du processus juste avant l’export (Django chargé, base connectée), et son pic "
        "pendant l’export (`VmRSS`, `VmHWM` de `/proc/self/status`, pic remis à zéro avant l’export) ; la hausse "
        "est la mémoire prise par l’export.",
        "",
        "| base | format | participant·es | durée (s) | hausse du pic mémoire (Mio) | pic total (Mio) "
        "| taille du fichier (Mio) | objectif à 100 000 |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    anonymity = []
    for result in passes:
        vendor = common.VENDORS[result["vendor"]]
        for row in result["results"]:
            if row["format"] == FORMATS[0] and "generalisations" in row:
                anonymity.append(
                    f"- {vendor}, {common.thousands(row['rows'])} participant·es : généralisations "
                    f"{', '.join(row['generalisations']) or 'aucune'} ; {row['suppressed_rows']} ligne(s) aux "
                    f"caractéristiques non diffusées, {row['withheld_rows']} retirée(s)."
                )
            seconds_target, memory_target = TARGETS[row["format"]]
            verdict = "—"
            if row["rows"] >= 100_000:
                met = row["seconds"] < seconds_target and row["increase_mib"] < memory_target
                verdict = f"< {seconds_target} s, < {memory_target} Mio : {'atteint' if met else 'MANQUÉ'}"
            lines.append(
                f"| {vendor} | {row['format'].upper()} | {common.thousands(row['rows'])} "
                f"| {row['seconds']:.2f} | {mib(row['increase_mib'])} | {mib(row['peak_mib'])} "
                f"| {row['bytes'] / 2**20:.1f} | {verdict} |".replace(".", ",")
            )
    return "\n".join([*lines, "", *anonymity, ""])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--export-child"]:
        child(sys.argv[2])
    else:
        common.main(
            "benchmarks.exports",
            __doc__,
            measure=measure,
            report=report,
            heading=HEADING,
            env={"TASKS_BACKEND": "immediate"},
        )
