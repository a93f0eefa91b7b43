"""Learners: a young person's profile, kept anonymous once the account is deleted."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inscriptions.enums import (
    Diploma,
    Gender,
    GuardianConsentMethod,
    JobSeekingDuration,
    QpvResidence,
    Referrer,
    Situation,
)


def age_on(birth_date, day):
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class LearnerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(anonymised_at__isnull=True)


class Learner(models.Model):
    """A young person's profile: what staff need to advise them and funders need to count them.

    When the person deletes their account, the row stays, stripped of everything that identifies them,
    so that the campus's anonymous counts do not change.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learner",
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    phone = models.CharField(
        _("téléphone"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9 +().-]{6,20}$", _("Saisissez un numéro de téléphone, ex. 06 12 34 56 78."))
        ],
        help_text=_("Facultatif. Pour que le campus puisse vous appeler."),
    )
    birth_date = models.DateField(
        _("date de naissance"),
        null=True,
        help_text=_(
            "Les formations sont ouvertes à partir de 16 ans. Avant 18 ans, un parent doit donner son accord."
        ),
    )
    gender = models.CharField(
        _("genre"),
        max_length=10,
        choices=Gender.choices,
        blank=True,
        help_text=_("Facultatif. Sert seulement à des statistiques anonymes pour les financeurs."),
    )
    # Asked at entry into training, not to apply: blank until then.
    postcode = models.CharField(
        _("code postal"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("Un code postal a 5 chiffres."))],
    )
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    qpv_residence = models.CharField(
        _("habitez-vous un quartier prioritaire (QPV) ?"),
        max_length=12,
        choices=QpvResidence.choices,
        default=QpvResidence.UNKNOWN,
        help_text=_("Certains financements sont réservés aux habitants de ces quartiers. Le campus peut vérifier."),
    )
    qpv = models.ForeignKey(
        "campus.Qpv",
        verbose_name=_("quartier prioritaire"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learners",
    )
    diploma = models.CharField(
        _("plus haut diplôme obtenu"),
        max_length=10,
        choices=Diploma.choices,
        help_text=_("Aucun diplôme n’est exigé pour la plupart des formations : c’est pour mieux vous conseiller."),
    )
    situation = models.CharField(_("situation aujourd’hui"), max_length=25, choices=Situation.choices)
    job_seeking_duration = models.CharField(
        _("depuis combien de temps cherchez-vous un emploi ?"),
        max_length=15,
        choices=JobSeekingDuration.choices,
        blank=True,
    )
    referrer = models.CharField(
        _("qui vous a orienté·e vers le campus ?"), max_length=15, choices=Referrer.choices, blank=True
    )
    referrer_detail = models.CharField(
        _("précisez (nom de la structure ou du conseiller)"), max_length=200, blank=True
    )
    named_data_consent_at = models.DateTimeField(
        _("accord pour transmettre son nom aux financeurs, le"),
        null=True,
        blank=True,
        help_text=_(
            "Certains financeurs demandent la liste nominative des participant·es. Sans cet accord, "
            "ils ne reçoivent qu’un pseudonyme."
        ),
    )
    consent_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    consent_version = models.CharField(_("version de la notice consentie"), max_length=20, blank=True)

    guardian_name = models.CharField(_("nom du parent ou tuteur"), max_length=200, blank=True)
    guardian_email = models.EmailField(_("e-mail du parent ou tuteur"), blank=True)
    guardian_consent_at = models.DateTimeField(_("accord parental donné le"), null=True, blank=True)
    guardian_consent_method = models.CharField(
        _("accord parental reçu par"), max_length=10, choices=GuardianConsentMethod.choices, blank=True
    )
    guardian_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accord parental enregistré par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)
    # When the account was told it would be erased for inactivity; a login since cancels it (purge_personal_data).
    inactivity_warned_at = models.DateTimeField(_("prévenu·e de l’inactivité le"), null=True, blank=True)
    # What funders' pseudonyms are derived from: random, so a pseudonym says nothing of the order of sign-up.
    pseudonym_id = models.UUIDField(
        _("identifiant de pseudonymisation"), default=uuid.uuid4, unique=True, editable=False
    )

    objects = LearnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidat·e")
        verbose_name_plural = _("candidat·es")
        ordering = ["last_name", "first_name", "pk"]

    def __str__(self):
        if self.anonymised_at:
            return _("Personne anonymisée n° %(pk)s") % {"pk": self.pk}
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def email(self):
        return self.user.email if self.user_id else ""

    def age(self, on=None):
        return age_on(self.birth_date, on or timezone.localdate())

    def is_minor(self, on=None):
        age = self.age(on)
        return age is not None and age < 18

    def needs_guardian_consent(self, on=None):
        return self.is_minor(on) and self.guardian_consent_at is None

    @property
    def has_consented(self):
        return self.consent_at is not None

    @property
    def must_renew_consent(self):
        """Accepted an earlier version of the privacy notice: asked to read what changed and accept it again."""
        return self.consent_at is not None and self.consent_version != settings.PRIVACY_NOTICE_VERSION

    def clean(self):
        errors = {}
        today = timezone.localdate()
        age = self.age(today)
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = _("La date de naissance ne peut pas être dans le futur.")
        elif age is not None and age < 16:
            errors["birth_date"] = _("Les formations sont ouvertes à partir de 16 ans.")
        elif age is not None and age > 99:
            errors["birth_date"] = _("Vérifiez l’année de naissance.")
        if age is not None and age < 18 and not self.guardian_consent_at:
            if not self.guardian_name:
                errors["guardian_name"] = _("Avant 18 ans, indiquez le nom d’un parent ou tuteur.")
            if not self.guardian_email:
                errors["guardian_email"] = _("Avant 18 ans, indiquez l’e-mail d’un parent ou tuteur.")
        if self.qpv_id and self.qpv_residence != QpvResidence.YES:
            errors["qpv"] = _("Vous avez choisi un quartier : répondez « Oui » à la question précédente.")
        if self.job_seeking_duration and self.situation not in Situation.job_seeking():
            errors["job_seeking_duration"] = _("Cette durée ne concerne que les personnes qui cherchent un emploi.")
        if errors:
            raise ValidationError(errors)
