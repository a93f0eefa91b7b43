"""Trainings that ended without anyone recording the exit: staff are told, then the system closes them."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inscriptions.exceptions import Refused
from inscriptions.models import Application
from inscriptions.services.transitions import complete
from inscriptions.workflow import Role, Status


def exits_to_record(applications=None, today=None):
    """The applications (of `applications`, else all) still "en formation" after their session's last day: their
    exit is not recorded."""
    applications = Application.objects.all() if applications is None else applications
    return applications.filter(status=Status.IN_TRAINING, session__end_date__lt=today or timezone.localdate())


def closing_day(end_date):
    """The day the system closes a training still open, if nobody recorded the exit before."""
    return end_date + datetime.timedelta(days=settings.ENDED_TRAINING_GRACE_DAYS + 1)


def close_ended_trainings(now=None):
    """Close as completed, on the session's end date, the trainings that ended more than
    ENDED_TRAINING_GRACE_DAYS days ago and are still open. Returns how many were closed.

    Each closing is its own transaction: a run stopped halfway keeps what it did, and the next one finishes.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    limit = today - datetime.timedelta(days=settings.ENDED_TRAINING_GRACE_DAYS)
    pending = exits_to_record(today=today).filter(session__end_date__lt=limit).select_related("session")
    closed = 0
    for application in pending.order_by("session__end_date", "pk"):
        comment = _(
            "Formation close automatiquement : la session s’est terminée le %(date)s "
            "et personne n’a enregistré la sortie."
        ) % {"date": application.session.end_date.strftime("%d/%m/%Y")}
        try:
            complete(application, role=Role.SYSTEM, comment=comment, now=now)
        except Refused:
            # The staff recorded the exit (or moved the session) meanwhile: nothing to close.
            continue
        closed += 1
    return closed


def remind_ended_trainings(today=None):
    """E-mail each campus's staff the list of their trainings that ended with the exit still to record.

    Grouped by the session's campus, whose team sees the applications. Returns how many applications were listed.
    """
    pending = list(exits_to_record(today=today).values_list("session__campus_id", "pk"))
    by_campus = {}
    for campus_id, pk in pending:
        by_campus.setdefault(campus_id, []).append(pk)
    from inscriptions import notifications

    for campus_id, pks in by_campus.items():
        transaction.on_commit(lambda c=campus_id, p=pks: notifications.ended_trainings_digest(c, p))
    return len(pending)
