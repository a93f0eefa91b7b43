"""A parent's or guardian's consent given through the link e-mailed to them."""

from django.db import transaction
from django.utils import timezone

from inscriptions.enums import GuardianConsentMethod
from inscriptions.models import GuardianConsentToken
from inscriptions.services.applying import record_guardian_consent


def consent_through_link(token, *, guardian_name, now=None):
    """Record the consent a link carries, once: the link and every other one sent for this learner stop working.
    Returns False when the link was used meanwhile (two clicks at once), and records nothing then."""
    now = now or timezone.now()
    with transaction.atomic():
        token = GuardianConsentToken.objects.select_for_update(of=("self",)).get(pk=token.pk)
        learner = token.learner
        if token.used_at or learner.guardian_consent_at:
            return False
        GuardianConsentToken.objects.filter(learner=learner, used_at__isnull=True).update(used_at=now)
        learner.guardian_name = guardian_name
        learner.save(update_fields=["guardian_name"])
        record_guardian_consent(learner, method=GuardianConsentMethod.EMAIL, now=now)
    return True
