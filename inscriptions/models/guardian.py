"""The links that ask a parent or guardian to agree: opaque, one-time, tied to the address they were sent to."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def digest(text):
    return hashlib.sha256(text.strip().lower().encode()).hexdigest()


def address_has_account(email):
    """Whether an address belongs to a Tremplin account (its login or any address added to it)."""
    from allauth.account.models import EmailAddress

    email = email.strip()
    return (
        get_user_model().objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


class GuardianConsentTokenQuerySet(models.QuerySet):
    def sent_since(self, learner, since):
        return self.filter(learner=learner, created_at__gte=since)

    def issue(self, learner, *, now=None):
        """A new link for the learner's current guardian address. Only the hash is stored: the raw token lives in
        the e-mail alone, so neither the database nor the URL says who it was sent to."""
        raw = secrets.token_urlsafe(32)
        self.create(
            learner=learner,
            token_hash=digest(raw),
            guardian_email_hash=digest(learner.guardian_email),
            created_at=now or timezone.now(),
        )
        return raw

    def redeemable(self, raw, *, now=None):
        """The token a link carries, if it is unused, recent and still meant for the learner's guardian address."""
        now = now or timezone.now()
        oldest = now - datetime.timedelta(days=settings.GUARDIAN_CONSENT_MAX_AGE_DAYS)
        token = (
            self.select_related("learner")
            .filter(token_hash=digest(raw or ""), created_at__gt=oldest, learner__anonymised_at__isnull=True)
            .first()
        )
        if token is None:
            return None
        learner = token.learner
        if not learner.guardian_email or token.guardian_email_hash != digest(learner.guardian_email):
            return None
        return token


class GuardianConsentToken(models.Model):
    learner = models.ForeignKey(
        "inscriptions.Learner",
        verbose_name=_("candidat·e"),
        on_delete=models.CASCADE,
        related_name="guardian_consent_tokens",
    )
    token_hash = models.CharField(_("empreinte du lien"), max_length=64, unique=True)
    guardian_email_hash = models.CharField(_("empreinte de l’adresse du parent"), max_length=64)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    objects = GuardianConsentTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien d’accord parental")
        verbose_name_plural = _("liens d’accord parental")
        indexes = [models.Index(fields=["learner", "created_at"])]

    def __str__(self):
        return str(_("Lien d’accord parental n° %(pk)s")) % {"pk": self.pk}
