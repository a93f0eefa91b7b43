"""The campus's work on applications: notes, and nobody left without an answer."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inscriptions.exceptions import Refused
from inscriptions.models import Application, StaffNote
from inscriptions.services.transitions import close
from inscriptions.workflow import Role


def add_staff_note(application, *, author, text):
    text = (text or "").strip()
    if not text:
        raise Refused(_("La note est vide."))
    return StaffNote.objects.create(application=application, author=author, text=text)


def overdue_applications(now=None):
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.APPLICATION_REVIEW_REMINDER_DAYS)
    return Application.objects.undecided().filter(submitted_at__lte=limit)


def remind_overdue_applications(now=None):
    """Tell each campus's staff, once per application, which applications still wait for a decision."""
    now = now or timezone.now()
    pending = list(overdue_applications(now).filter(reminder_sent_at__isnull=True).values_list("campus_id", "pk"))
    by_campus = {}
    for campus_id, pk in pending:
        by_campus.setdefault(campus_id, []).append(pk)
    from inscriptions import notifications

    for campus_id, pks in by_campus.items():
        Application.objects.filter(pk__in=pks).update(reminder_sent_at=now)
        transaction.on_commit(lambda c=campus_id, p=pks: notifications.overdue_digest(c, p))
    return len(pending)


def close_abandoned_applications(now=None):
    """Close, with an apology to the applicant, applications nobody decided on in time."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.APPLICATION_CLOSE_AFTER_DAYS)
    closed = 0
    for application in Application.objects.undecided().filter(submitted_at__lte=limit).order_by("pk"):
        try:
            close(
                application,
                role=Role.SYSTEM,
                comment=_("Aucune décision n’a été prise dans le délai prévu."),
                now=now,
            )
            closed += 1
        except Refused:
            # Decided meanwhile by someone else: nothing to close.
            continue
    return closed
