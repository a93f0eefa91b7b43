"""Follow-up surveys: six and twelve months after leaving, a personal link to three questions, no log-in.

A link carries a random token; only its SHA-256 is stored, so a copy of the database answers for nobody.
The token that reaches the learner is issued by the e-mail task itself, at the moment it sends: a task
queue that keeps its arguments in the database (TASKS_BACKEND=database) never holds a usable link. Each
e-mail therefore carries a new token, and the previous link stops working: the reminder replaces the first.
"""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from inscriptions.enums import FollowUpMilestone, FollowUpSource
from inscriptions.follow_up_sources import answer_note
from inscriptions.models import Application, FollowUp, FollowUpSurvey, StaffNote, add_months
from inscriptions.notifications import absolute_url, render_email
from inscriptions.services import Refused, record_follow_up

logger = logging.getLogger(__name__)

SURVEYED_MILESTONES = (FollowUpMilestone.SIX_MONTHS, FollowUpMilestone.TWELVE_MONTHS)
# add_months() clamps the 31st to the end of shorter months: the SQL range is widened by this much, and
# the exact due date is then checked on the rows it returns.
MONTH_END_SLACK = datetime.timedelta(days=4)


class SurveyClosed(Exception):
    """The link can no longer take an answer. `state` is "answered" or "expired"."""

    def __init__(self, state):
        super().__init__(state)
        self.state = state


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def new_token():
    return secrets.token_urlsafe(32)


def _moment(today):
    """The current instant, or noon of `today` when a run is replayed for another day (tests, catching up)."""
    now = timezone.now()
    if today is None or today == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))


def survey_url(token):
    return absolute_url(reverse("inscriptions:follow_up_survey", args=[token]))


# --- Reading a link -----------------------------------------------------------------------------


def survey_for_token(token):
    """The survey a link is for, or None if it is unknown, replaced by a newer link, or its learner erased."""
    if not token or len(token) > 100:
        return None
    return (
        FollowUpSurvey.objects.select_related(
            "application__learner", "application__campus", "application__session__formation"
        )
        .filter(token_hash=hash_token(token), application__learner__anonymised_at__isnull=True)
        .first()
    )


def survey_state(survey, now=None):
    """Whether the link still takes an answer: "open", "answered" (it works once) or "expired".

    An answer given in time is still thanked after the expiry date.
    """
    if survey.answered_at is not None:
        return "answered"
    if survey.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


# --- Sending ------------------------------------------------------------------------------------


def surveys_due(today=None):
    """Applications whose 6- or 12-month survey falls due, as (application, milestone) pairs.

    Due means: the learner left the training, the milestone has come, but no more than
    FOLLOW_UP_SURVEY_SEND_WINDOW_DAYS ago (a first deployment does not write to people who left years
    ago), nobody recorded that follow-up yet, no survey was sent for it, and the learner has an account
    e-mail. One query per milestone.
    """
    today = today or timezone.localdate()
    oldest_due = today - datetime.timedelta(days=settings.FOLLOW_UP_SURVEY_SEND_WINDOW_DAYS)
    due = []
    for milestone in SURVEYED_MILESTONES:
        candidates = (
            Application.objects.left_training()
            .filter(
                left_on__gte=add_months(oldest_due, -milestone.value) - MONTH_END_SLACK,
                left_on__lte=add_months(today, -milestone.value) + MONTH_END_SLACK,
                learner__anonymised_at__isnull=True,
                learner__user__isnull=False,
                learner__user__email__gt="",
            )
            .exclude(follow_ups__milestone=milestone)
            .exclude(surveys__milestone=milestone)
            .order_by("left_on", "pk")
        )
        due.extend(
            (application, milestone)
            for application in candidates
            if oldest_due <= add_months(application.left_on, milestone.value) <= today
        )
    return due


@transaction.atomic
def send_due_surveys(today=None):
    """Create the surveys that fall due and e-mail each learner their link. Returns how many were sent.

    Running it twice the same day sends nothing more: a survey exists once per application and milestone.
    """
    now = _moment(today)
    valid_for = datetime.timedelta(days=settings.FOLLOW_UP_SURVEY_VALID_DAYS)
    surveys = FollowUpSurvey.objects.bulk_create(
        FollowUpSurvey(
            application=application,
            milestone=milestone,
            # A placeholder nobody ever sees: the e-mail task issues the token that goes out.
            token_hash=hash_token(new_token()),
            sent_at=now,
            expires_at=now + valid_for,
        )
        for application, milestone in surveys_due(timezone.localdate(now))
    )
    for survey in surveys:
        transaction.on_commit(lambda pk=survey.pk: send_survey_email.enqueue(pk))
    return len(surveys)


@transaction.atomic
def send_survey_reminders(today=None):
    """Remind, once and only once, the learners who did not answer FOLLOW_UP_SURVEY_REMINDER_DAYS after the
    first e-mail. The reminder carries a new link, valid FOLLOW_UP_SURVEY_VALID_DAYS from today; the first
    link stops working. Returns how many reminders were sent."""
    now = _moment(today)
    sent_before = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate(now) - datetime.timedelta(days=settings.FOLLOW_UP_SURVEY_REMINDER_DAYS - 1),
            datetime.time.min,
        )
    )
    already_recorded = FollowUp.objects.filter(application=OuterRef("application"), milestone=OuterRef("milestone"))
    pending = list(
        FollowUpSurvey.objects.select_for_update(of=("self",))
        .filter(
            reminded_at__isnull=True,
            answered_at__isnull=True,
            expires_at__gt=now,
            sent_at__lt=sent_before,
            application__learner__anonymised_at__isnull=True,
        )
        # The staff may have recorded the situation since: nothing left to ask.
        .exclude(Exists(already_recorded))
        .values_list("pk", flat=True)
    )
    FollowUpSurvey.objects.filter(pk__in=pending).update(
        reminded_at=now, expires_at=now + datetime.timedelta(days=settings.FOLLOW_UP_SURVEY_VALID_DAYS)
    )
    for pk in pending:
        transaction.on_commit(lambda pk=pk: send_survey_email.enqueue(pk, reminder=True))
    return len(pending)


@task()
def send_survey_email(survey_pk, reminder=False):
    """Issue the survey's link and e-mail it. The token changes only if the e-mail leaves."""
    now = timezone.now()
    with transaction.atomic():
        survey = (
            FollowUpSurvey.objects.select_for_update(of=("self",))
            .select_related("application__learner__user", "application__campus", "application__session__formation")
            .filter(pk=survey_pk)
            .first()
        )
        if survey is None or survey_state(survey, now) != "open":
            return False
        learner = survey.application.learner
        if learner.anonymised_at or learner.user is None or not learner.user.email:
            return False
        token = new_token()
        survey.token_hash = hash_token(token)
        survey.save(update_fields=["token_hash"])
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "application": survey.application,
                "learner": learner,
                "first_name": learner.first_name,
                "months": survey.milestone,
                "url": survey_url(token),
                "expires_on": timezone.localdate(survey.expires_at),
                "reminder": reminder,
            }
            subject, body = render_email("follow_up_survey", context)
            # Sent inside the transaction: if the mail server refuses, the previous link keeps working.
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [learner.user.email])
    return True


# --- Answering ----------------------------------------------------------------------------------


def record_answer(survey, *, placement, start_date=None, employer="", now=None):
    """Save the learner's answer as the milestone's follow-up, once. Raises SurveyClosed if it is too late.

    The answer replaces a follow-up imported from a file, never one the staff recorded (they may have checked it
    with the person): then, or if the application is no longer out of training, it is kept as a note for the team
    to read. Returns True if the answer became the follow-up, False if it was kept as a note.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = FollowUpSurvey.objects.select_for_update(of=("self",)).select_related("application").get(pk=survey.pk)
        state = survey_state(locked, now)
        if state != "open":
            raise SurveyClosed(state)
        application = locked.application
        recorded = (
            FollowUp.objects.select_for_update(of=("self",))
            .filter(application=application, milestone=locked.milestone)
            .first()
        )
        became_follow_up, reason = False, ""
        if recorded is None or FollowUpSource.SURVEY.outranks(recorded.source):
            try:
                follow_up = record_follow_up(
                    application,
                    locked.milestone,
                    placement=placement,
                    source=FollowUpSource.SURVEY,
                    # Nothing to replace: a staff entry saved meanwhile is kept, not overwritten.
                    keep_existing=recorded is None,
                    recorded_at=now,
                    start_date=start_date,
                    employer=employer,
                )
                became_follow_up = follow_up.source == FollowUpSource.SURVEY
            except Refused as refusal:
                # The staff moved the application back into training meanwhile.
                logger.warning("Survey %s answered but not recorded: %s", locked.pk, refusal.reason)
                reason = refusal.reason
        if not became_follow_up:
            keep_answer_as_note(
                locked, placement=placement, start_date=start_date, employer=employer, reason=reason, now=now
            )
        locked.answered_at = now
        locked.save(update_fields=["answered_at"])
    survey.answered_at = locked.answered_at
    return became_follow_up


def keep_answer_as_note(survey, *, placement, start_date, employer, reason, now):
    """The learner's answer, written where the team reads it, next to the follow-up it did not replace."""
    application = survey.application
    StaffNote.objects.create(
        application=application,
        author=application.learner.user,
        text=answer_note(survey.milestone, placement, start_date, employer, reason=reason),
        created_at=now,
    )
