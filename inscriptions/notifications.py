"""E-mails of the enrolment pipeline, sent as background tasks so a slow mail server never slows a page.

Callers enqueue after their transaction commits (see services), so a rolled-back change sends nothing.
Tasks take ids, not objects, and re-read the database: the task may run minutes later on a worker.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from home.task_retries import retried
from inscriptions.enums import FollowUpMilestone
from inscriptions.models import (
    Application,
    GuardianConsentToken,
    Learner,
    Refund,
    RefundCause,
    StaffNotificationSettings,
    StatusChange,
    address_has_account,
)
from inscriptions.workflow import NEXT_STEP, Status

logger = logging.getLogger(__name__)

# Status changes worth an e-mail to the learner: templates inscriptions/emails/learner_<status>[_subject].txt.
LEARNER_EMAILS = frozenset(
    {
        Status.SUBMITTED,
        Status.ADMITTED,
        Status.WAITLISTED,
        Status.REFUSED,
        Status.WITHDRAWN,
        Status.CLOSED,
        Status.ENROLLED,
        Status.CERTIFIED,
    }
)


def absolute_url(path):
    return f"{settings.PUBLIC_BASE_URL}{path}"


def render_email(name, context):
    """(subject, body) of the e-mail `name`, from inscriptions/emails/<name>_subject.txt and <name>.txt."""
    context = {**context, "espace_url": absolute_url(reverse("inscriptions:espace"))}
    subject = " ".join(render_to_string(f"inscriptions/emails/{name}_subject.txt", context).split())
    return f"[Tremplin] {subject}", render_to_string(f"inscriptions/emails/{name}.txt", context)


def _send(name, context, recipients):
    recipients = [address for address in recipients if address]
    if not recipients:
        return 0
    subject, body = render_email(name, context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def _send_to_each(name, context, users):
    """One e-mail per person, greeted by first name; nobody sees the others' addresses."""
    return sum(_send(name, {**context, "first_name": user.first_name}, [user.email]) for user in users)


def campus_staff(campus_id):
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__campus__pk=campus_id, email__gt="")
        .distinct()
        .order_by("email")
    )


def staff_recipients(campus_id, preference):
    """Active staff of a campus with an e-mail address who asked for this kind of message."""
    users = campus_staff(campus_id)
    opted_out = set(
        StaffNotificationSettings.objects.filter(user__in=users, **{preference: False}).values_list("user", flat=True)
    )
    return [user for user in users if user.pk not in opted_out]


# --- Entry points used by the services ----------------------------------------------------------


def status_changed(change_pk):
    notify_status_change.enqueue(change_pk)


def ask_guardian_consent(learner_pk):
    send_guardian_request.enqueue(learner_pk)


def overdue_digest(campus_id, application_pks):
    send_overdue_digest.enqueue(campus_id, application_pks)


def follow_ups_digest(campus_id, due_by_milestone):
    send_follow_ups_digest.enqueue(campus_id, {str(months): count for months, count in due_by_milestone.items()})


def ended_trainings_digest(campus_id, application_pks):
    send_ended_trainings_digest.enqueue(campus_id, application_pks)


# --- Tasks --------------------------------------------------------------------------------------


def learner_context(application, **extra):
    """What every e-mail to a learner about an application needs: the person's first name, the application."""
    return {"application": application, "first_name": application.learner.first_name, **extra}


@retried()
@task()
def notify_status_change(change_pk):
    change = StatusChange.objects.select_related(
        "application__learner__user", "application__session__formation", "application__campus"
    ).get(pk=change_pk)
    application = change.application
    context = learner_context(application, change=change, next_step=NEXT_STEP.get(change.to_status, ""))
    # Both e-mails queued together or neither (home.mail): a retried run never sends the first one twice.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        user = application.learner.user
        if change.to_status in LEARNER_EMAILS and user is not None:
            _send(f"learner_{change.to_status}", context, [user.email])
        admin_url = absolute_url(reverse("inscriptions_admin:detail", args=[application.pk]))
        if change.to_status == Status.SUBMITTED:
            _send_to_each(
                "staff_new_application",
                {**context, "admin_url": admin_url},
                staff_recipients(application.campus_id, "new_application"),
            )
        elif change.to_status == Status.WITHDRAWN:
            _send_to_each(
                "staff_withdrawal",
                {**context, "admin_url": admin_url},
                staff_recipients(application.campus_id, "withdrawal"),
            )


def guardian_emails_left_today(learner, now=None):
    """How many more consent e-mails the learner can cause today: a throw-away account cannot make Tremplin
    write to any address as often as it likes."""
    since = (now or timezone.now()) - datetime.timedelta(days=1)
    sent = GuardianConsentToken.objects.sent_since(learner, since).count()
    return max(settings.GUARDIAN_CONSENT_EMAILS_PER_DAY - sent, 0)


@task()
def send_guardian_request(learner_pk):
    learner = Learner.objects.active().filter(pk=learner_pk).first()
    if learner is None or learner.guardian_consent_at or not learner.guardian_email:
        return
    if not guardian_emails_left_today(learner):
        logger.info("Guardian consent e-mail for learner %s not sent: daily limit reached", learner_pk)
        return
    # An address that opens a Tremplin account is not a parent's we can trust: it may be the minor's own second
    # account. Nothing is sent and nothing is said, so the form never tells whether an address has an account.
    if address_has_account(learner.guardian_email):
        logger.info("Guardian consent e-mail for learner %s not sent: the address has an account", learner_pk)
        return
    url = absolute_url(reverse("inscriptions:accord_parental", args=[GuardianConsentToken.objects.issue(learner)]))
    # The training the minor applied to last, so the parent knows which campus asks and for what.
    application = (
        learner.applications.select_related("session__formation", "campus").order_by("-submitted_at", "-pk").first()
    )
    with translation.override(settings.LANGUAGE_CODE):
        # No name in the subject (guardian_request_subject.txt): it is the part of an e-mail that anyone could make
        # us write to anyone.
        _send(
            "guardian_request",
            {
                "learner": learner,
                "application": application,
                "url": url,
                "days": settings.GUARDIAN_CONSENT_MAX_AGE_DAYS,
            },
            [learner.guardian_email],
        )


@retried()
@task()
def send_overdue_digest(campus_id, application_pks):
    applications = (
        Application.objects.filter(pk__in=application_pks, campus_id=campus_id)
        .select_related("learner", "session__formation")
        .order_by("submitted_at")
    )
    if not applications:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _send_to_each(
            "staff_overdue_digest",
            {
                "applications": applications,
                "count": len(applications),
                "days": settings.APPLICATION_REVIEW_REMINDER_DAYS,
                "list_url": absolute_url(reverse("inscriptions_admin:index")),
            },
            staff_recipients(campus_id, "overdue_digest"),
        )


@retried()
@task()
def send_follow_ups_digest(campus_id, due_by_milestone):
    """`due_by_milestone` maps months after leaving ("0", "6", "12") to how many follow-ups are missing."""
    due = [
        (FollowUpMilestone(int(months)).label, count)
        for months, count in sorted(due_by_milestone.items(), key=lambda item: int(item[0]))
        if count
    ]
    if not due:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _send_to_each(
            "staff_follow_ups_digest",
            {
                "due": due,
                "count": sum(count for _label, count in due),
                "list_url": absolute_url(reverse("inscriptions_admin:follow_ups_due")),
            },
            staff_recipients(campus_id, "follow_ups_digest"),
        )


@retried()
@task()
def send_ended_trainings_digest(campus_id, application_pks):
    """The campus's trainings still "en formation" after their session ended, each with its link and the day the
    system will close it. Re-read: an exit recorded since the list was made is left out."""
    applications = (
        Application.objects.filter(pk__in=application_pks, session__campus_id=campus_id, status=Status.IN_TRAINING)
        .select_related("learner", "session__formation")
        .order_by("session__end_date", "learner__last_name", "pk")
    )
    from inscriptions.services.ended_trainings import closing_day

    lines = [
        {
            "application": application,
            "closes_on": closing_day(application.session.end_date),
            "url": absolute_url(reverse("inscriptions_admin:detail", args=[application.pk])),
        }
        for application in applications
    ]
    if not lines:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _send_to_each(
            "staff_ended_trainings_digest",
            {
                "lines": lines,
                "count": len(lines),
                "days": settings.ENDED_TRAINING_GRACE_DAYS,
                "list_url": absolute_url(f"{reverse('inscriptions_admin:index')}?exit_to_record=on"),
            },
            staff_recipients(campus_id, "follow_ups_digest"),
        )


def refund_confirmed(refund_pk):
    tell_learner_refund_confirmed.enqueue(refund_pk)


def refund_failing(refund_pk):
    alert_staff_refund_failing.enqueue(refund_pk)


@task()
def tell_learner_refund_confirmed(refund_pk):
    """Once Stripe confirms a refund, the learner is told, once: the same confirmation may come twice."""
    if not Refund.objects.filter(pk=refund_pk, learner_told_at__isnull=True).update(learner_told_at=timezone.now()):
        return
    refund = Refund.objects.select_related(
        "payment__application__learner__user", "payment__application__session__formation"
    ).get(pk=refund_pk)
    application = refund.payment.application
    user = application.learner.user
    if user is None:
        return
    late = refund.cause == RefundCause.LATE_PAYMENT
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            f"learner_{'late_payment_refunded' if late else 'refund_confirmed'}",
            learner_context(
                application,
                amount=f"{refund.amount_cents / 100:.2f}".replace(".", ","),
                next_step=NEXT_STEP.get(application.status, ""),
            ),
            [user.email],
        )


@task()
def alert_staff_refund_failing(refund_pk):
    """A refund Stripe keeps refusing, or could not make: the campus's staff are told, once, whatever their
    preferences (money owed to someone is not a message one opts out of)."""
    if not Refund.objects.filter(pk=refund_pk, staff_alerted_at__isnull=True).update(staff_alerted_at=timezone.now()):
        return
    refund = Refund.objects.select_related(
        "payment__application__learner", "payment__application__session__formation"
    ).get(pk=refund_pk)
    application = refund.payment.application
    with translation.override(settings.LANGUAGE_CODE):
        _send_to_each(
            "staff_refund_failing",
            {
                "application": application,
                "refund": refund,
                "amount": f"{refund.amount_cents / 100:.2f}".replace(".", ","),
                "admin_url": absolute_url(reverse("inscriptions_admin:detail", args=[application.pk]) + "#paiements"),
            },
            campus_staff(application.campus_id),
        )


def inactivity_warning(learner, deletion_day):
    """The account will be erased for inactivity on deletion_day unless the person logs in."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "learner": learner,
            "first_name": learner.first_name,
            "deletion_date": deletion_day,
            "years": settings.INACTIVE_ACCOUNT_DAYS // 365,
            "login_url": absolute_url(reverse("account_login")),
        }
        return _send("inactive_account_warning", context, [learner.user.email])


def start_reminder(application_pk):
    send_start_reminder.enqueue(application_pk)


@retried()
@task()
def send_start_reminder(application_pk):
    """A few days before the session starts, what the enrolled person needs on day one. Re-read: nothing goes to
    someone who withdrew since."""
    application = (
        Application.objects.select_related("learner__user", "session__formation", "session__campus", "campus")
        .filter(pk=application_pk, status=Status.ENROLLED)
        .first()
    )
    if application is None or application.learner.user is None:
        return
    days = (application.session.start_date - timezone.localdate()).days
    if days < 0:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _send("learner_start_reminder", learner_context(application, days=days), [application.learner.user.email])
