"""Learners, their applications to sessions, the history of each application, and what became of them."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from campus.models import CampusScopedQuerySet
from formations.enums import FeeKind
from home.models import private_storage
from inscriptions.enums import (
    AgeBand,
    Availability,
    Diploma,
    FollowUpMilestone,
    FollowUpSource,
    Gender,
    GuardianConsentMethod,
    JobSeekingDuration,
    Nationality,
    Placement,
    QpvResidence,
    Referrer,
    Situation,
    YesNoUnsaid,
)
from inscriptions.workflow import HOLDS_SEAT, INACTIVE, LEFT_TRAINING, UNDECIDED, Role, Status


def age_on(birth_date, day):
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


# --- Learners -----------------------------------------------------------------------------------


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
    postcode = models.CharField(
        _("code postal"), max_length=5, validators=[RegexValidator(r"^\d{5}$", _("Un code postal a 5 chiffres."))]
    )
    commune = models.CharField(_("commune"), max_length=100)
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
    rqth = models.BooleanField(
        _("j’ai une reconnaissance de handicap (RQTH)"),
        default=False,
        help_text=_("Facultatif. Le campus peut alors adapter la formation avec son référent handicap."),
    )
    referrer = models.CharField(
        _("qui vous a orienté·e vers le campus ?"), max_length=15, choices=Referrer.choices, default=Referrer.NOBODY
    )
    referrer_detail = models.CharField(
        _("précisez (nom de la structure ou du conseiller)"), max_length=200, blank=True
    )
    # Asked only because the European Social Fund requires them of the campuses it co-funds; all optional.
    nationality = models.CharField(
        _("nationalité"),
        max_length=10,
        choices=Nationality.choices,
        blank=True,
        help_text=_("Facultatif. Demandé par le Fonds social européen, qui finance certaines formations."),
    )
    foreign_background = models.CharField(
        _("l’un de vos parents est-il né à l’étranger ?"),
        max_length=3,
        choices=YesNoUnsaid.choices,
        blank=True,
        help_text=_("Facultatif. Demandé par le Fonds social européen, pour des statistiques anonymes."),
    )
    housing_exclusion = models.BooleanField(
        _("je suis sans logement ou mal logé·e (hébergement d’urgence, chez des proches faute de mieux…)"),
        default=False,
        help_text=_("Facultatif. Le campus peut vous orienter vers une aide au logement."),
    )
    rural_area = models.BooleanField(_("j’habite en zone rurale"), default=False)
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


# --- Applications -------------------------------------------------------------------------------


def cv_upload_to(instance, filename):
    # Never keep the original file name: it often holds the person's name.
    return f"cv/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class ApplicationQuerySet(CampusScopedQuerySet):
    def active(self):
        return self.exclude(status__in=INACTIVE)

    def undecided(self):
        return self.filter(status__in=UNDECIDED)

    def holding_seat(self):
        return self.filter(status__in=HOLDS_SEAT)

    def waitlist(self, session):
        return self.filter(session=session, status=Status.WAITLISTED).order_by("waitlisted_at", "pk")

    def left_training(self):
        return self.filter(status__in=LEFT_TRAINING, left_on__isnull=False)


class Application(models.Model):
    """A learner's application to one session, and everything that followed from it."""

    learner = models.ForeignKey(
        Learner, verbose_name=_("candidat·e"), on_delete=models.PROTECT, related_name="applications"
    )
    session = models.ForeignKey(
        "formations.Session", verbose_name=_("session"), on_delete=models.PROTECT, related_name="applications"
    )
    # Copied from the session so staff scoping and list filters need no join through pages.
    campus = models.ForeignKey(
        "campus.CampusPage",
        verbose_name=_("campus"),
        on_delete=models.PROTECT,
        related_name="applications",
        editable=False,
    )
    status = models.CharField(_("statut"), max_length=15, choices=Status.choices, default=Status.SUBMITTED)
    motivation = models.TextField(
        _("votre motivation"),
        max_length=2000,
        help_text=_("Quelques phrases suffisent : pourquoi cette formation, et ce que vous aimeriez faire ensuite."),
    )
    availability = models.CharField(
        _("vos disponibilités"), max_length=15, choices=Availability.choices, default=Availability.FULL
    )
    constraints = models.CharField(
        _("vos contraintes"),
        max_length=500,
        blank=True,
        help_text=_("Facultatif. Par exemple : garde d’enfants, emploi le soir, temps de trajet."),
    )
    cv = models.FileField(
        _("CV (PDF)"),
        storage=private_storage,
        upload_to=cv_upload_to,
        blank=True,
        max_length=200,
        help_text=_("Facultatif. Un fichier PDF de 5 Mo au plus. Seule l’équipe du campus pourra le lire."),
    )
    # Kept from submission so that reports stay right after the profile is erased.
    age_on_submission = models.PositiveSmallIntegerField(_("âge à la candidature"), null=True, editable=False)
    submitted_at = models.DateTimeField(_("envoyée le"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(_("statut changé le"), default=timezone.now)
    waitlisted_at = models.DateTimeField(_("en liste d’attente depuis"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("décision le"), null=True, blank=True, editable=False)
    left_on = models.DateField(_("sortie de formation le"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("relance envoyée à l’équipe le"), null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "session"],
                condition=~Q(status__in=[Status.REFUSED, Status.WITHDRAWN, Status.CLOSED]),
                name="one_active_application_per_session",
                violation_error_message=_("Vous avez déjà une candidature en cours pour cette session."),
            ),
        ]
        indexes = [
            models.Index(fields=["campus", "status", "-submitted_at"]),
            models.Index(fields=["session", "status", "waitlisted_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]
        permissions = [("decide_application", _("Peut faire avancer les candidatures de son campus"))]

    def __str__(self):
        return _("%(learner)s – %(session)s") % {"learner": self.learner, "session": self.session}

    def save(self, *args, **kwargs):
        if self.session_id and not self.campus_id:
            self.campus_id = self.session.campus_id
        super().save(*args, **kwargs)

    @property
    def is_active(self):
        return self.status not in INACTIVE

    @property
    def holds_seat(self):
        return self.status in HOLDS_SEAT

    @property
    def age_band(self):
        return AgeBand.for_age(self.age_on_submission)

    @cached_property
    def waitlist_position(self):
        if self.status != Status.WAITLISTED:
            return None
        ahead = Application.objects.filter(session_id=self.session_id, status=Status.WAITLISTED).filter(
            Q(waitlisted_at__lt=self.waitlisted_at) | Q(waitlisted_at=self.waitlisted_at, pk__lt=self.pk)
        )
        return ahead.count() + 1

    def is_overdue_for_review(self, now=None):
        now = now or timezone.now()
        limit = datetime.timedelta(days=settings.APPLICATION_REVIEW_REMINDER_DAYS)
        return self.status in UNDECIDED and self.submitted_at <= now - limit

    def follow_up_due_dates(self):
        if self.left_on is None:
            return {}
        return {milestone: add_months(self.left_on, milestone.value) for milestone in FollowUpMilestone}


class StatusChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("L’historique des candidatures ne se modifie pas.")

    def delete(self):
        raise TypeError("L’historique des candidatures ne se supprime pas.")


class StatusChange(models.Model):
    """One step of an application's history. Written once, never edited."""

    application = models.ForeignKey(
        Application, verbose_name=_("candidature"), on_delete=models.PROTECT, related_name="history"
    )
    from_status = models.CharField(_("de"), max_length=15, choices=Status.choices, blank=True)
    to_status = models.CharField(_("vers"), max_length=15, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("changement de statut")
        verbose_name_plural = _("historique des statuts")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_from_status_display() or '–'} → {self.get_to_status_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("L’historique des candidatures ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("L’historique des candidatures ne se supprime pas.")


class StaffNote(models.Model):
    """A note staff keep about an application. Never shown to the learner, but included in their data export."""

    application = models.ForeignKey(
        Application, verbose_name=_("candidature"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("note de l’équipe")
        verbose_name_plural = _("notes de l’équipe")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:60]


# --- Outcomes -----------------------------------------------------------------------------------


class FollowUp(models.Model):
    """What a learner was doing at exit, 6 and 12 months after leaving the training."""

    application = models.ForeignKey(
        Application, verbose_name=_("candidature"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    milestone = models.PositiveSmallIntegerField(_("moment"), choices=FollowUpMilestone.choices)
    placement = models.CharField(_("situation"), max_length=25, choices=Placement.choices)
    employer = models.CharField(_("employeur ou organisme"), max_length=200, blank=True)
    job_title = models.CharField(_("intitulé du poste ou de la formation"), max_length=200, blank=True)
    rome = models.ForeignKey(
        "formations.RomeCode",
        verbose_name=_("métier (code ROME)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    start_date = models.DateField(_("depuis le"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=15, choices=FollowUpSource.choices, default=FollowUpSource.STAFF)
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistré par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("suivi de sortie")
        verbose_name_plural = _("suivis de sortie")
        ordering = ["application", "milestone"]
        constraints = [
            models.UniqueConstraint(fields=["application", "milestone"], name="one_follow_up_per_milestone"),
        ]

    def __str__(self):
        return f"{self.get_milestone_display()} : {self.get_placement_display()}"

    @property
    def is_positive(self):
        return self.placement in Placement.positive()

    def clean(self):
        if self.start_date and self.start_date > timezone.localdate():
            raise ValidationError({"start_date": _("La date de début ne peut pas être dans le futur.")})


class FollowUpSurvey(models.Model):
    """The questionnaire e-mailed to a learner 6 or 12 months after leaving, reached by a personal link.

    Only a hash of the link's token is stored: a leaked database does not let anyone answer for the learner.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("candidature"), on_delete=models.CASCADE, related_name="surveys"
    )
    milestone = models.PositiveSmallIntegerField(_("moment"), choices=FollowUpMilestone.choices)
    token_hash = models.CharField(_("empreinte du lien"), max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    reminded_at = models.DateTimeField(_("relance envoyée le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("lien valable jusqu’au"))
    answered_at = models.DateTimeField(_("réponse reçue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("questionnaire de suivi")
        verbose_name_plural = _("questionnaires de suivi")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "milestone"], name="one_survey_per_milestone"),
        ]

    def __str__(self):
        return f"{self.application_id} – {self.get_milestone_display()}"


# --- Referrals from partners --------------------------------------------------------------------


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


# --- Staff notifications ------------------------------------------------------------------------


class StaffNotificationSettings(models.Model):
    """Which e-mails a staff member receives, so that nobody is flooded."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inscriptions_notifications"
    )
    new_application = models.BooleanField(_("chaque nouvelle candidature"), default=True)
    withdrawal = models.BooleanField(_("chaque candidature retirée"), default=True)
    overdue_digest = models.BooleanField(_("les candidatures sans réponse depuis trop longtemps"), default=True)
    follow_ups_digest = models.BooleanField(_("les suivis de sortie à faire"), default=True)

    class Meta:
        verbose_name = _("préférences de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self):
        return str(self.user)

    @classmethod
    def for_user(cls, user):
        return cls.objects.filter(user=user).first() or cls(user=user)


# --- Payments -----------------------------------------------------------------------------------


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", _("Paiement en ligne (Stripe)")
    CASH = "especes", _("Espèces")
    CHEQUE = "cheque", _("Chèque")
    VOUCHER = "bon_financeur", _("Bon ou prise en charge d’un financeur")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    PAID = "paid", _("Payé")
    FAILED = "failed", _("Échoué")
    EXPIRED = "expired", _("Expiré")
    REFUNDED = "refunded", _("Remboursé")
    PARTIALLY_REFUNDED = "partially_refunded", _("Remboursé en partie")


class Payment(models.Model):
    """Money asked of a learner for a priced session: online through Stripe Checkout, or recorded by staff."""

    application = models.ForeignKey(
        Application, verbose_name=_("candidature"), on_delete=models.PROTECT, related_name="payments"
    )
    amount_cents = models.PositiveIntegerField(_("montant (centimes)"))
    fee_kind = models.CharField(_("nature"), max_length=10, choices=FeeKind.choices)
    method = models.CharField(_("moyen de paiement"), max_length=15, choices=PaymentMethod.choices)
    status = models.CharField(
        _("état"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, db_index=True
    )
    refunded_cents = models.PositiveIntegerField(_("remboursé (centimes)"), default=0)
    stripe_checkout_session_id = models.CharField(
        _("session Stripe Checkout"), max_length=255, unique=True, null=True, blank=True
    )
    stripe_payment_intent_id = models.CharField(_("paiement Stripe"), max_length=255, blank=True, db_index=True)
    # The seat is held for the learner until then; past it, an unpaid seat goes back to the waitlist.
    hold_expires_at = models.DateTimeField(_("place réservée jusqu’au"), null=True, blank=True)
    paid_at = models.DateTimeField(_("payé le"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistré par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_cents__lte=models.F("amount_cents")), name="payment_refund_within_amount"
            ),
        ]

    def __str__(self):
        return f"{self.amount_cents / 100:.2f} € – {self.get_status_display()}"


class StripeEvent(models.Model):
    """Every webhook event received, stored by its id so that each is processed at most once."""

    event_id = models.CharField(_("identifiant Stripe"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    payload = models.JSONField(_("contenu"))
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    outcome = models.CharField(_("suite donnée"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("événement Stripe")
        verbose_name_plural = _("événements Stripe")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class Refund(models.Model):
    """Money given back, with why and by whom: a deposit after the training, a fee on cancellation."""

    payment = models.ForeignKey(Payment, verbose_name=_("paiement"), on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField(_("montant (centimes)"))
    reason = models.CharField(_("raison"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    stripe_refund_id = models.CharField(_("remboursement Stripe"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("remboursement")
        verbose_name_plural = _("remboursements")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.amount_cents / 100:.2f} € – {self.reason}"
