"""Young people partners send to a campus."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.models import CampusScopedQuerySet
from inscriptions.enums import Referrer
from inscriptions.models.learners import Learner


class ReferralQuerySet(CampusScopedQuerySet):
    pass


class Referral(models.Model):
    """A young person a partner (Mission Locale, France Travail, an association) sends to a campus.

    Imported from the partner's list; linked to the learner's profile when the person applies with that e-mail.
    """

    campus = models.ForeignKey(
        "campus.CampusPage", verbose_name=_("campus"), on_delete=models.PROTECT, related_name="referrals"
    )
    partner_kind = models.CharField(
        _("type de partenaire"), max_length=15, choices=Referrer.choices, default=Referrer.MISSION_LOCALE
    )
    partner_name = models.CharField(_("structure"), max_length=200)
    adviser = models.CharField(_("conseiller ou conseillère"), max_length=200, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    formation = models.ForeignKey(
        "formations.FormationPage",
        verbose_name=_("formation envisagée"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    referred_on = models.DateField(_("orienté·e le"))
    learner = models.ForeignKey(
        Learner,
        verbose_name=_("candidat·e"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    created_at = models.DateTimeField(_("importé le"), default=timezone.now)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation par un partenaire")
        verbose_name_plural = _("orientations par des partenaires")
        ordering = ["-referred_on", "last_name", "pk"]
        constraints = [
            # The natural key of an import: the same person sent twice to a campus is one referral.
            models.UniqueConstraint(fields=["campus", "email"], name="one_referral_per_campus_and_email"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.partner_name})"
