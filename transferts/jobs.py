"""Import jobs: the upload kept as a DataJob, previewed (a dry run), then confirmed and written."""

import datetime
import functools
import logging

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from campus.permissions import campuses_of
from home.spreadsheets import FileRejected
from transferts.models import DataJob
from transferts.parsers import as_text
from transferts.reading import KEPT_ROWS, read_import_file
from transferts.registry import import_kinds

logger = logging.getLogger(__name__)

ERRORS_KEPT = 200
SAMPLE_SIZE = KEPT_ROWS
# Conflicts shown one by one on the preview, each with its own choice; "replace them all" covers every one.
CONFLICTS_SHOWN = 200


def allowed_kinds(user):
    """{kind: importer class} the user may run."""
    if not user.is_authenticated or not user.is_active:
        return {}
    return {kind: importer for kind, importer in import_kinds().items() if user.has_perm(importer.permission)}


def job_table(job):
    """The job's file read within the limits, on the sheet and from the line where its header is."""
    with job.source.open("rb") as file:
        return read_import_file(
            file, job.source.name, find_header=import_kinds()[job.kind].header_matches, beat=job.beat, stream=True
        )


def job_importer(job, progress=True):
    importer_class = import_kinds()[job.kind]
    return importer_class(
        campus=job.campus,
        user=job.requested_by,
        progress=job.record_progress if progress else None,
        # The staff's choice on the preview travels with the job to the task that writes it.
        replace=job.params.get("replace", ()),
    )


def job_may_run(job):
    """The requester may still run this kind of import on this campus (rights can change between two steps)."""
    user = job.requested_by
    if job.kind not in allowed_kinds(user):
        return False
    return job.campus_id is None or campuses_of(user).filter(pk=job.campus_id).exists()


def sample_rows(table, plan, size=SAMPLE_SIZE):
    labels = {
        "create": _("à créer"),
        "update": _("à modifier"),
        "unchanged": _("inchangée"),
        "conflict": _("en conflit : valeur enregistrée gardée"),
        "replace": _("en conflit : remplacée par le fichier"),
    }
    rows = []
    for line, values in table.rows[:size]:
        cells = [
            "" if value is None else f"{value:%d/%m/%Y}" if isinstance(value, datetime.date) else as_text(value)
            for value in values
        ]
        rows.append({"line": line, "action": labels.get(plan.actions.get(line), _("en erreur")), "cells": cells})
    return rows


CONFLICT_SUMMARY = {"conflicts", "replaced", "kept", "conflict_rows", "conflict_keys"}


def conflict_summary(plan):
    """The counts, the conflicts shown on the page, and the keys of them all (what "replace them all" means)."""
    if not plan.conflicts:
        return {}
    return {
        **plan.conflict_counts(),
        "conflict_rows": [conflict.as_dict() for conflict in plan.conflicts[:CONFLICTS_SHOWN]],
        "conflict_keys": [conflict.key for conflict in plan.conflicts],
    }


def forget_source(job):
    # The uploaded file holds personal data: kept only while it may still be imported.
    if job.source:
        job.source.delete(save=False)


def record_failure(job, errors, summary=None):
    forget_source(job)
    job.state = job.State.FAILED
    job.errors = [str(error) for error in errors[:ERRORS_KEPT]]
    job.summary = {**(summary or job.summary), "errors": len(errors)}
    job.finished_at = timezone.now()
    job.save()


def marked_failed_on_crash(step):
    """A crash must not leave a job "running" forever: it is marked failed (the transaction wrote nothing)."""

    @functools.wraps(step)
    def run(job):
        try:
            return step(job)
        except Exception:
            logger.exception("Import job %s crashed", job.pk)
            record_failure(job, [_("Une erreur inattendue a interrompu l'import : rien n'a été enregistré.")])
            raise

    return run


def start_job(job):
    """Mark the job running and read its file: the table, or None once the job is recorded as failed."""
    job.state, job.heartbeat_at = job.State.RUNNING, timezone.now()
    job.save(update_fields=["state", "heartbeat_at"])
    if not job_may_run(job):
        record_failure(job, [_("Vous n'avez pas le droit de faire cet import.")])
        return None
    try:
        return job_table(job)
    except FileRejected as error:
        record_failure(job, [str(error)])
        return None


@marked_failed_on_crash
def preview_job(job):
    """The dry run: check the whole file and keep the counts, a sample and the errors on the job."""
    table = start_job(job)
    if table is None:
        return job
    plan = job_importer(job).check_in_chunks(table)
    job.total = plan.total  # the rows are counted as they are read
    summary = {
        **plan.counts(),
        "header": table.header,
        # Said on the preview: lines above the header were left out, or the data came from another sheet.
        "header_line": table.header_line,
        "sheet": table.sheet if len(table.sheets) > 1 else "",
        "sample": sample_rows(table, plan),
        **conflict_summary(plan),
        **plan.extra,
    }
    if plan.errors:
        record_failure(job, plan.errors, summary)
        return job
    job.refresh_from_db(fields=["done"])
    job.state, job.summary, job.errors, job.done = job.State.PREVIEW, summary, [], job.total
    job.save()
    return job


def confirm_job(job, replace=(), user=None):
    """Mark a previewed job as confirmed by `user`, once: True if this call confirmed it.

    The job's row is locked while its state is read, so that of several clicks or several people confirming at
    the same moment, one confirms and the others read who did (`confirmation_notice`). `replace` holds the keys of
    the conflicts the staff chose to settle with the file's value; only conflicts the preview showed count, every
    other one keeps what is recorded.
    """
    with transaction.atomic():
        locked = DataJob.objects.select_for_update().get(pk=job.pk)
        confirmed = False
        if locked.state == DataJob.State.PREVIEW:
            shown = set(locked.summary.get("conflict_keys", ()))
            now = timezone.now()
            # Conditional as well: SQLite has no row lock, but runs one UPDATE at a time.
            confirmed = bool(
                DataJob.objects.filter(pk=job.pk, state=DataJob.State.PREVIEW).update(
                    state=DataJob.State.QUEUED,
                    done=0,
                    params={**locked.params, "confirmed": True, "replace": sorted(shown.intersection(replace))},
                    confirmed_by=user,
                    confirmed_at=now,
                    heartbeat_at=now,
                )
            )
    job.refresh_from_db()
    return confirmed


def confirmation_notice(job):
    """Why a job cannot be confirmed (again): who confirmed it and when, if someone did."""
    if job.confirmed_at is None:
        return _("Cet import n'est plus à confirmer.")
    who = job.confirmed_by.get_full_name() or job.confirmed_by.email if job.confirmed_by else _("quelqu'un")
    return _("Cet import a déjà été confirmé par %(who)s à %(time)s.") % {
        "who": who,
        "time": formats.time_format(timezone.localtime(job.confirmed_at), "H:i"),
    }


@marked_failed_on_crash
def write_job(job):
    """Write a confirmed import, checking every row again inside the transaction: nothing or everything."""
    table = start_job(job)
    if table is None:
        return job
    # The last beat before the transaction: beats written inside it would be seen by nobody until it ends.
    job.beat()
    try:
        plan = checked_and_written(job, table)
    except IntegrityError:
        # Another import wrote some of the same rows since this one was checked (two people confirming the same
        # file): checked again, those rows now read as existing.
        logger.info("Import job %s met rows written meanwhile: checked again", job.pk)
        table = job_table(job)  # the first reading gave up its rows as they were parsed
        plan = checked_and_written(job, table)
    if not plan.is_valid:
        record_failure(job, plan.errors, {**job.summary, **plan.counts()})
        return job
    forget_source(job)
    job.state, job.done = job.State.DONE, job.total
    # What was done with each row and each conflict replaces what the preview said; the keys have served.
    summary = {key: value for key, value in job.summary.items() if key not in CONFLICT_SUMMARY}
    done = {**plan.counts(), "sample": sample_rows(table, plan), **conflict_summary(plan)}
    done.pop("conflict_keys", None)
    job.summary = {**summary, **done}
    job.finished_at = timezone.now()
    job.save()
    return job


def checked_and_written(job, table):
    """Check every row again and write them, in one transaction: a worker stopped midway has written nothing."""
    with transaction.atomic():
        plan = job_importer(job, progress=False).check_in_chunks(table, write=True)
        if not plan.is_valid:
            transaction.set_rollback(True)
    return plan


def header_notice(table_or_summary):
    """What the preview says when the header was not on line 1 of the first sheet ("" when it was)."""
    if isinstance(table_or_summary, dict):
        line, sheet = table_or_summary.get("header_line", 1), table_or_summary.get("sheet", "")
    else:
        line, sheet = table_or_summary.header_line, table_or_summary.sheet if len(table_or_summary.sheets) > 1 else ""
    said = []
    if sheet:
        said.append(
            _("Les lignes ont été lues sur la feuille « %(sheet)s », la première qui a l'en-tête.") % {"sheet": sheet}
        )
    if line > 1:
        said.append(
            _("L'en-tête est à la ligne %(line)d : les lignes au-dessus ont été laissées de côté.") % {"line": line}
        )
    return " ".join(said)
