"""Applying to a session, and what must come first: the profile and the consents."""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inscriptions.exceptions import Refused
from inscriptions.models import Application, Referral, StatusChange, age_on
from inscriptions.workflow import Role, Status


def save_profile(learner, *, user, consented, now=None):
    """Save the profile a person filled in for themselves, then link the referrals that were waiting for it."""
    learner.user = user
    if consented:
        record_consent(learner, now=now)
    learner.save()
    link_referrals(learner)
    return learner


def link_referrals(learner):
    """A young person a partner referred has now applied: the campus sees that the referral came to something.
    Matched on the account's e-mail, the only identifier both lists share, and only at the campuses where the
    person applied: another campus learns nothing of her account."""
    if not learner.user_id or learner.anonymised_at:
        return 0
    email = learner.user.email
    if not email:
        return 0
    applied_at = Application.objects.filter(learner=learner).values("session__campus_id")
    return Referral.objects.filter(learner__isnull=True, email__iexact=email, campus_id__in=applied_at).update(
        learner=learner
    )


def application_refusal(learner, session, today=None):
    """Why this learner cannot apply to this session now, or None."""
    today = today or timezone.localdate()
    if learner.anonymised_at:
        return _("Ce compte a été supprimé.")
    if not learner.has_consented:
        return _("Complétez votre profil et acceptez la notice de confidentialité avant de postuler.")
    if not session.is_open_for_applications(today):
        return _("Les candidatures sont fermées pour cette session.")
    age = learner.age(today)
    if age is None or age < 16:
        return _("Les formations sont ouvertes à partir de 16 ans.")
    if Application.objects.active().filter(learner=learner, session=session).exists():
        return _("Vous avez déjà une candidature en cours pour cette session.")
    return None


def submitted_application(learner, submission_key):
    """The application this learner already sent with this form, or None: a form sent again lands on it."""
    try:
        submission_key = uuid.UUID(str(submission_key))
    except ValueError:
        return None
    return Application.objects.filter(learner=learner, submission_key=submission_key).first()


def submit_application(
    learner, session, *, motivation, availability, constraints="", cv=None, submission_key=None, now=None
):
    now = now or timezone.now()
    today = timezone.localdate(now)
    reason = application_refusal(learner, session, today)
    if reason:
        raise Refused(reason)
    try:
        with transaction.atomic():
            application = Application(
                learner=learner,
                session=session,
                campus_id=session.campus_id,
                motivation=motivation.strip(),
                availability=availability,
                constraints=constraints.strip(),
                age_on_submission=age_on(learner.birth_date, today),
                submitted_at=now,
                status_changed_at=now,
                submission_key=submission_key,
            )
            if cv:
                application.cv = cv
            application.save()
            change = StatusChange.objects.create(
                application=application,
                from_status="",
                to_status=Status.SUBMITTED,
                actor=learner.user,
                role=Role.LEARNER,
                created_at=now,
            )
    except IntegrityError as error:
        # The file is stored before the row is inserted: a refused duplicate must not leave its CV behind.
        if application.cv:
            application.cv.delete(save=False)
        # The same form sent twice at once: both land on the one application saved.
        if saved := submitted_application(learner, submission_key):
            return saved
        # Two submissions of the same form at once: the unique constraint keeps only one.
        if Application.objects.active().filter(learner=learner, session=session).exists():
            raise Refused(_("Vous avez déjà une candidature en cours pour cette session.")) from error
        raise
    # Now that she applied here, the campus may see that a partner's referral came to something.
    link_referrals(learner)
    from inscriptions import notifications

    transaction.on_commit(lambda: notifications.status_changed(change.pk))
    if learner.needs_guardian_consent(today) and learner.guardian_email:
        transaction.on_commit(lambda: notifications.ask_guardian_consent(learner.pk))
    return application


def record_guardian_consent(learner, *, method, recorded_by=None, now=None):
    learner.guardian_consent_at = now or timezone.now()
    learner.guardian_consent_method = method
    learner.guardian_consent_recorded_by = recorded_by
    learner.save(update_fields=["guardian_consent_at", "guardian_consent_method", "guardian_consent_recorded_by"])
    # A referral entered by hand since the profile was made is linked here too, as on every save of the profile.
    link_referrals(learner)


def record_consent(learner, *, now=None):
    learner.consent_at = now or timezone.now()
    learner.consent_version = settings.PRIVACY_NOTICE_VERSION


def renew_consent(learner, *, now=None):
    """The learner accepted the current version of the privacy notice, having accepted an earlier one."""
    record_consent(learner, now=now)
    learner.save(update_fields=["consent_at", "consent_version"])
    return learner
