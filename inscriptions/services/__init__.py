"""Operations that span several models or apps, one module per concern, re-exported for `services.X` callers."""

from inscriptions.exceptions import Refused
from inscriptions.services.applying import (
    application_refusal,
    record_consent,
    record_guardian_consent,
    submit_application,
)
from inscriptions.services.learner_data import erase_learner, export_learner_data
from inscriptions.services.outcomes import follow_ups_due, record_follow_up, send_follow_up_digests
from inscriptions.services.reviewing import (
    add_staff_note,
    close_abandoned_applications,
    overdue_applications,
    remind_overdue_applications,
)
from inscriptions.services.transitions import (
    allowed_transitions,
    bulk_change_status,
    change_status,
    promote_waitlist,
    promote_waitlist_for,
    staff_can_decide,
)

__all__ = [
    "Refused",
    "add_staff_note",
    "allowed_transitions",
    "application_refusal",
    "bulk_change_status",
    "change_status",
    "close_abandoned_applications",
    "erase_learner",
    "export_learner_data",
    "follow_ups_due",
    "overdue_applications",
    "promote_waitlist",
    "promote_waitlist_for",
    "record_consent",
    "record_follow_up",
    "record_guardian_consent",
    "remind_overdue_applications",
    "send_follow_up_digests",
    "staff_can_decide",
    "submit_application",
]
