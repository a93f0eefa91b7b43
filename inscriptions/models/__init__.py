"""The inscriptions models, one module per concern, re-exported so that `from inscriptions.models import X` works."""

# Migration 0001 names the CV field's storage and upload path through this package.
from home.models import private_storage
from inscriptions.models.applications import (
    ANSWER_FACTS,
    ENTRY_FACTS,
    PROFILE_FACTS,
    STAGE_FIELDS,
    Application,
    ApplicationQuerySet,
    StaffNote,
    StatusChange,
    StatusChangeQuerySet,
    cv_upload_to,
)
from inscriptions.models.attendance import Attendance, CancelledHalfDay
from inscriptions.models.entry import ANSWER_NAMES, EntryAnswers
from inscriptions.models.follow_ups import (
    FollowUp,
    FollowUpQuerySet,
    FollowUpSurvey,
    add_months,
    due_on,
    follow_up_date_errors,
    follow_up_opens_on,
)
from inscriptions.models.guardian import GuardianConsentToken, address_has_account
from inscriptions.models.learners import Learner, LearnerQuerySet, age_on
from inscriptions.models.notification_settings import StaffNotificationSettings
from inscriptions.models.payments import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundCause,
    RefundState,
    StripeEvent,
)
from inscriptions.models.referrals import Referral, ReferralQuerySet

__all__ = [
    "address_has_account",
    "ANSWER_FACTS",
    "ANSWER_NAMES",
    "ENTRY_FACTS",
    "EntryAnswers",
    "PROFILE_FACTS",
    "STAGE_FIELDS",
    "Application",
    "ApplicationQuerySet",
    "Attendance",
    "CancelledHalfDay",
    "FollowUp",
    "FollowUpQuerySet",
    "FollowUpSurvey",
    "GuardianConsentToken",
    "Learner",
    "LearnerQuerySet",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "Referral",
    "ReferralQuerySet",
    "Refund",
    "RefundCause",
    "RefundState",
    "StaffNote",
    "StaffNotificationSettings",
    "StatusChange",
    "StatusChangeQuerySet",
    "StripeEvent",
    "add_months",
    "age_on",
    "cv_upload_to",
    "due_on",
    "follow_up_date_errors",
    "follow_up_opens_on",
    "private_storage",
]
