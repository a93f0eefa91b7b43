"""Retention periods applied every day by `manage.py purge_personal_data`: each kind of personal data that has
outlived its period is deleted or, for an inactive learner, erased after a warning.

Each purge deletes in batches that commit on their own (home/retention.py) and finds its rows again by the same
query, so a run stopped midway leaves consistent data and the next run finishes the job.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry, PageLogEntry

from home.retention import delete_in_batches
from inscriptions import notifications
from inscriptions.enums import FollowUpMilestone
from inscriptions.locking import retry_on_conflict
from inscriptions.models import (
    Application,
    FollowUpSurvey,
    GuardianConsentToken,
    Learner,
    Referral,
    StripeEvent,
    add_months,
)
from inscriptions.services.learner_data import erase_learner
from inscriptions.workflow import INACTIVE, LEFT_TRAINING

logger = logging.getLogger(__name__)

LAST_FOLLOW_UP_MONTHS = max(FollowUpMilestone.values)


def _days_before(now, days):
    return now - datetime.timedelta(days=days)


# --- Inactive learner accounts ------------------------------------------------------------------


def inactive_learners(now=None):
    """Learner accounts with no login and no application activity for INACTIVE_ACCOUNT_DAYS, and nothing in
    progress: no application waiting for a decision, holding a seat or in training, no follow-up still to come.

    Only learners' own accounts: a staff, superuser or funder account is never one, even if it has a profile.
    """
    now = now or timezone.now()
    limit = _days_before(now, settings.INACTIVE_ACCOUNT_DAYS)
    applications = Application.objects.filter(learner_id=OuterRef("pk"))
    recent = applications.filter(Q(submitted_at__gt=limit) | Q(status_changed_at__gt=limit))
    in_progress = applications.exclude(status__in=INACTIVE | LEFT_TRAINING)
    # The last follow-up is due LAST_FOLLOW_UP_MONTHS after leaving; its questionnaire may still be open after that.
    last_due_limit = add_months(timezone.localdate(now), -LAST_FOLLOW_UP_MONTHS)
    follow_up_to_come = applications.filter(status__in=LEFT_TRAINING, left_on__gte=last_due_limit)
    open_survey = FollowUpSurvey.objects.filter(
        application__learner_id=OuterRef("pk"), answered_at__isnull=True, expires_at__gt=now
    )
    return (
        Learner.objects.active()
        .filter(user__isnull=False, user__is_staff=False, user__is_superuser=False)
        # Campus staff belong to a campus group; funders' accounts are members of a funder (financeurs.Funder).
        .filter(user__groups__isnull=True, user__funders__isnull=True)
        .alias(last_seen=Coalesce("user__last_login", "user__date_joined"))
        .filter(last_seen__lte=limit)
        .exclude(Exists(recent) | Exists(in_progress) | Exists(follow_up_to_come) | Exists(open_survey))
    )


def deletion_date(warned_at):
    """The day an account warned at `warned_at` is erased, unless the person logs in before."""
    return timezone.localdate(warned_at) + datetime.timedelta(days=settings.INACTIVE_ACCOUNT_NOTICE_DAYS)


def cancel_inactivity_warnings(now=None):
    """A warned account that was used since (a login, an application) is no longer inactive: its warning is lifted,
    and a later inactivity starts again with a new warning."""
    warned = Learner.objects.filter(inactivity_warned_at__isnull=False)
    return warned.exclude(pk__in=inactive_learners(now).values("pk")).update(inactivity_warned_at=None)


def warn_inactive_learners(now=None):
    """E-mail each inactive account not yet warned, and record when: the count of warnings sent.

    The date is recorded only once the e-mail is sent, one account at a time: a run stopped midway warns the
    rest next time, and nobody is erased without having been warned.
    """
    now = now or timezone.now()
    warned = 0
    to_warn = inactive_learners(now).filter(inactivity_warned_at__isnull=True).exclude(user__email="")
    for learner in to_warn.select_related("user").order_by("pk").iterator():
        try:
            notifications.inactivity_warning(learner, deletion_date(now))
        except Exception:
            logger.exception("Inactivity warning to learner %s not sent", learner.pk)
            continue
        Learner.objects.filter(pk=learner.pk).update(inactivity_warned_at=now)
        warned += 1
    return warned


def erase_inactive_learners(now=None):
    """Erase the accounts warned INACTIVE_ACCOUNT_NOTICE_DAYS ago or more and still inactive: the count erased."""
    now = now or timezone.now()
    last_warning_day = timezone.localdate(now) - datetime.timedelta(days=settings.INACTIVE_ACCOUNT_NOTICE_DAYS)
    erased = 0
    due = inactive_learners(now).filter(inactivity_warned_at__date__lte=last_warning_day)
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        erased += _erase_if_still_inactive(due, pk, now)
    return erased


@retry_on_conflict
@transaction.atomic
def _erase_if_still_inactive(due, pk, now):
    """One person at a time, all or nothing: a stopped run leaves each account either whole or erased. The
    learner is locked first, before her applications' sessions (inscriptions/locking.py)."""
    # A full lock (not NO KEY): the erasure writes the learner's account link, a unique column.
    learner = due.select_for_update(of=("self",)).filter(pk=pk).first()
    if learner is None:
        return 0
    erase_learner(learner, now=now)
    return 1


# --- Other personal data past its period ----------------------------------------------------------


def purge_unused_referrals(now=None):
    """Partners' referrals that never led to an account: kept UNUSED_REFERRAL_DAYS after their import."""
    limit = _days_before(now or timezone.now(), settings.UNUSED_REFERRAL_DAYS)
    return delete_in_batches(Referral.objects.filter(learner__isnull=True, created_at__lt=limit))


def purge_stripe_events(now=None):
    """Stored webhook events. They are kept only so that a redelivered event is not processed twice
    (inscriptions/payments.py); Stripe stops retrying after 3 days, far within STRIPE_EVENT_RETENTION_DAYS."""
    limit = _days_before(now or timezone.now(), settings.STRIPE_EVENT_RETENTION_DAYS)
    return delete_in_batches(StripeEvent.objects.filter(received_at__lt=limit))


def purge_log_entries(now=None):
    """Wagtail's histories of objects and pages, whose labels name people. (Django's own admin, and so its
    LogEntry, is not installed.)"""
    limit = _days_before(now or timezone.now(), settings.LOG_ENTRY_RETENTION_DAYS)
    return sum(delete_in_batches(model.objects.filter(timestamp__lt=limit)) for model in (ModelLogEntry, PageLogEntry))


def purge_task_results(now=None):
    """Background task rows (TASKS_BACKEND=database) keep their arguments, e-mail addresses among them: finished
    ones, and queued ones never run, go TASK_RESULT_RETENTION_DAYS later. A running task is left alone."""
    limit = _days_before(now or timezone.now(), settings.TASK_RESULT_RETENTION_DAYS)
    finished = Q(status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=limit)
    never_run = Q(status=TaskResultStatus.READY, enqueued_at__lt=limit)
    return delete_in_batches(DBTaskResult.objects.filter(finished | never_run))


def purge_expired_sessions(now=None):
    """What `clearsessions` does: a session may hold an e-mail address (a login code sent)."""
    return delete_in_batches(Session.objects.filter(expire_date__lt=now or timezone.now()))


def purge_guardian_consent_tokens(now=None):
    """Links sent to parents, used or not, once past GUARDIAN_CONSENT_MAX_AGE_DAYS: they no longer open anything.
    The consent itself is recorded on the profile (date and method)."""
    limit = _days_before(now or timezone.now(), settings.GUARDIAN_CONSENT_MAX_AGE_DAYS)
    return delete_in_batches(GuardianConsentToken.objects.filter(created_at__lt=limit))
