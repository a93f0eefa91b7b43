"""Follow-ups come from the staff, the learner's survey answer and files: the staff's entry ranks first, then the
answer, then a file (FollowUpSource.outranks). What a lower source brings is shown, never silently written."""

import hashlib

from django.utils import timezone
from django.utils.translation import gettext as _

from inscriptions.enums import FollowUpMilestone, FollowUpSource, Placement
from transferts.importers import Conflict

# What the preview tells of a follow-up recorded by a more trusted source than a file: who, when, and the ROME code.
RECORDED = (
    "source",
    "recorded_at",
    "recorded_by__first_name",
    "recorded_by__last_name",
    "recorded_by__username",
    "rome__code",
)


def describe_follow_up(placement, employer, job_title, start_date, rome_code):
    since = _("depuis le %(date)s") % {"date": f"{start_date:%d/%m/%Y}"} if start_date else ""
    return " · ".join(filter(None, [str(Placement(placement).label), employer, job_title, since, rome_code]))


def follow_up_conflict(line, number, record, current, compared):
    """The Conflict of a file's line with a follow-up recorded by the staff or the learner's answer.

    Its key names the recorded follow-up as it is now: if it changes before the import is written, the staff's
    choice no longer applies to it and it is kept.
    """
    fingerprint = hashlib.sha256(
        repr([current[name] for name in ("pk", "source", "recorded_at", *compared)]).encode()
    ).hexdigest()[:16]
    source = FollowUpSource(current["source"])
    author = (
        " ".join(filter(None, [current["recorded_by__first_name"], current["recorded_by__last_name"]]))
        or current["recorded_by__username"]
    )
    recorded_on = f"{timezone.localtime(current['recorded_at']):%d/%m/%Y}"
    if source == FollowUpSource.STAFF and author:
        recorded_by = _("%(source)s (%(author)s), le %(date)s") % {
            "source": source.label,
            "author": author,
            "date": recorded_on,
        }
    else:
        recorded_by = _("%(source)s, le %(date)s") % {"source": source.label, "date": recorded_on}
    return Conflict(
        line=line,
        key=f"{number}:{record['milestone']}:{fingerprint}",
        subject=_("n° %(number)d – %(milestone)s")
        % {"number": number, "milestone": FollowUpMilestone(record["milestone"]).label},
        recorded=describe_follow_up(
            current["placement"],
            current["employer"],
            current["job_title"],
            current["start_date"],
            current["rome__code"],
        ),
        recorded_by=recorded_by,
        incoming=describe_follow_up(
            record["placement"], record["employer"], record["job_title"], record["start_date"], record["rome"]
        ),
    )


def answer_note(milestone, placement, start_date, employer, *, reason=""):
    """A survey answer that did not become the follow-up, as a note for the team."""
    answer = describe_follow_up(placement, employer, "", start_date, "")
    milestone = FollowUpMilestone(milestone).label
    if reason:
        return _(
            "Réponse au questionnaire de suivi (%(milestone)s) : %(answer)s. Elle n’a pas été enregistrée comme "
            "suivi : %(reason)s"
        ) % {"milestone": milestone, "answer": answer, "reason": reason}
    return _(
        "Réponse au questionnaire de suivi (%(milestone)s) : %(answer)s. Le suivi saisi par l’équipe est gardé tel "
        "quel : comparez, et corrigez-le si la réponse est plus juste."
    ) % {"milestone": milestone, "answer": answer}
