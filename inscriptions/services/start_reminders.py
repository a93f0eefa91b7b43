"""A few days before a session starts, each enrolled person is reminded where and when to come, once."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from inscriptions.models import Application


def send_start_reminders(now=None):
    """Remind every enrolled person whose session starts within SESSION_START_REMINDER_DAYS days and who was not
    reminded yet. Returns how many were reminded; a second run the same day reminds nobody again."""
    now = now or timezone.now()
    due = Application.objects.due_start_reminder(timezone.localdate(now), settings.SESSION_START_REMINDER_DAYS)
    from inscriptions import notifications

    reminded = 0
    for pk in due.filter(learner__user__isnull=False).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            # Claimed by a conditional update: two runs at once still remind each person once.
            if not Application.objects.filter(pk=pk, start_reminder_sent_at__isnull=True).update(
                start_reminder_sent_at=now
            ):
                continue
            transaction.on_commit(lambda p=pk: notifications.start_reminder(p))
        reminded += 1
    return reminded
