"""What became of learners: follow-ups due, recorded, and the weekly digest."""

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inscriptions.enums import FollowUpMilestone, FollowUpSource
from inscriptions.exceptions import Refused
from inscriptions.models import Application, FollowUp, add_months, follow_up_date_errors, follow_up_opens_on
from inscriptions.workflow import LEFT_TRAINING


def follow_ups_due(applications, today=None):
    """For each milestone, the applications (of the given queryset) whose follow-up is due and missing."""
    today = today or timezone.localdate()
    due = {}
    for milestone in FollowUpMilestone:
        cutoff = add_months(today, -milestone.value)
        due[milestone] = (
            applications.left_training()
            .filter(left_on__lte=cutoff)
            .exclude(follow_ups__milestone=milestone)
            .select_related("learner", "session__formation", "campus")
            .order_by("left_on", "pk")
        )
    return due


def record_follow_up(
    application,
    milestone,
    *,
    placement,
    recorded_by=None,
    source=FollowUpSource.STAFF,
    keep_existing=False,
    **fields,
):
    """Record (or correct) what the learner was doing at a milestone after leaving.

    With `keep_existing`, a follow-up already recorded for that milestone is returned unchanged: a learner's
    own answer never overwrites what the staff checked.
    """
    milestone = FollowUpMilestone(milestone)
    if application.status not in LEFT_TRAINING or application.left_on is None:
        raise Refused(_("Le suivi se fait après la sortie de formation."))
    opens_on = follow_up_opens_on(add_months(application.left_on, milestone.value))
    if timezone.localdate() < opens_on:
        raise Refused(_("Ce suivi pourra être saisi à partir du %(date)s.") % {"date": opens_on.strftime("%d/%m/%Y")})
    errors = follow_up_date_errors(placement, fields.get("start_date"), fields.get("signed_on"), timezone.localdate())
    if errors:
        raise Refused(" ".join(str(reason) for reason in errors.values()))
    values = {"placement": placement, "recorded_by": recorded_by, "source": source, **fields}
    if keep_existing:
        follow_up, _created = FollowUp.objects.get_or_create(
            application=application, milestone=milestone, defaults=values
        )
    else:
        # A correction is a new observation: dated today, it counts for the milestone once that day has come.
        follow_up, _created = FollowUp.objects.update_or_create(
            application=application, milestone=milestone, defaults={**values, "recorded_at": timezone.now()}
        )
    return follow_up


def send_follow_up_digests(today=None):
    """Tell each campus team how many follow-ups are due and missing. Meant for a weekly run."""
    today = today or timezone.localdate()
    counts = {}
    for milestone, applications in follow_ups_due(Application.objects.all(), today).items():
        for row in applications.order_by().values("campus_id").annotate(due=models.Count("pk")):
            counts.setdefault(row["campus_id"], {})[int(milestone)] = row["due"]
    from inscriptions import notifications

    for campus_id, due in counts.items():
        transaction.on_commit(lambda c=campus_id, d=due: notifications.follow_ups_digest(c, d))
    return counts
