"""What became of learners after the training: follow-ups and the surveys that ask for them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inscriptions.enums import FollowUpMilestone, FollowUpSource, Placement

# How early a follow-up may be recorded: a learner who signs a contract before the date is fine, a year early
# is a mistake. Staff entries, survey answers and imports all ask follow_up_opens_on().
FOLLOW_UP_EARLIEST_DAYS = 31
# Applications looked up at once for a bulk write: well under the databases' limits on query parameters.
LOOKUP_SLICE = 2000


def follow_up_date_errors(placement, start_date, signed_on, today):
    """{field: reason} for dates a follow-up cannot have: the one rule of the staff's form, the service, the survey
    and the imports. Nothing is signed in the future; a situation starts in the future only when it is a contract
    already signed (a CDI that starts next month counts at exit), and then the signature date is required."""
    errors = {}
    if signed_on and placement not in Placement.contracts():
        errors["signed_on"] = _(
            "Une date de signature se note seulement pour un contrat (CDI, CDD, intérim, alternance)."
        )
    elif signed_on and signed_on > today:
        errors["signed_on"] = _("La date de signature ne peut pas être dans le futur.")
    if start_date and start_date > today:
        if placement not in Placement.contracts():
            errors["start_date"] = _("La date de début ne peut pas être dans le futur, sauf pour un contrat signé.")
        elif not signed_on:
            errors.setdefault("signed_on", _("Le contrat commence plus tard : indiquez la date de signature."))
    return errors


def follow_up_opens_on(due_on):
    """The first day a follow-up due on `due_on` may be recorded."""
    return due_on - datetime.timedelta(days=FOLLOW_UP_EARLIEST_DAYS)


def add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def due_on(left_on, milestone):
    """The day a follow-up falls due: the day of leaving for the exit follow-up, 6 or 12 months later for the
    others. None while the learner has not left."""
    if left_on is None:
        return None
    return add_months(left_on, int(milestone))


class FollowUpQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Like save(), give each follow-up its due date: from its application's exit date, looked up for the
        rows that come without it in one query per slice of the list."""
        objs = list(objs)
        Application = self.model._meta.get_field("application").related_model
        missing = sorted({follow_up.application_id for follow_up in objs if follow_up.due_on is None})
        left_on = {}
        for start in range(0, len(missing), LOOKUP_SLICE):
            pks = missing[start : start + LOOKUP_SLICE]
            left_on.update(Application.objects.filter(pk__in=pks).values_list("pk", "left_on"))
        for follow_up in objs:
            if follow_up.due_on is None:
                follow_up.due_on = due_on(left_on.get(follow_up.application_id), follow_up.milestone)
        return super().bulk_create(objs, *args, **kwargs)


class FollowUp(models.Model):
    """What a learner was doing at exit, 6 and 12 months after leaving the training."""

    application = models.ForeignKey(
        "inscriptions.Application", verbose_name=_("candidature"), on_delete=models.CASCADE, related_name="follow_ups"
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
    # A contract signed before it starts: required when the start is still to come (follow_up_date_errors).
    signed_on = models.DateField(
        _("contrat signé le"),
        null=True,
        blank=True,
        help_text=_("Pour un contrat qui commence plus tard : la date de signature."),
    )
    # Derived from the application's exit date (save, bulk_create): a 6-month answer counts from this day on.
    due_on = models.DateField(_("à faire le"), null=True, editable=False)
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

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("suivi de sortie")
        verbose_name_plural = _("suivis de sortie")
        ordering = ["application", "milestone"]
        constraints = [
            models.UniqueConstraint(fields=["application", "milestone"], name="one_follow_up_per_milestone"),
        ]

    def __str__(self):
        return f"{self.get_milestone_display()} : {self.get_placement_display()}"

    def save(self, *args, **kwargs):
        if self.application_id:
            self.due_on = due_on(self.application.left_on, self.milestone)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "due_on"}
        super().save(*args, **kwargs)

    @property
    def is_positive(self):
        return self.placement in Placement.positive()

    def clean(self):
        errors = follow_up_date_errors(self.placement, self.start_date, self.signed_on, timezone.localdate())
        if errors:
            raise ValidationError(errors)


class FollowUpSurvey(models.Model):
    """The questionnaire e-mailed to a learner 6 or 12 months after leaving, reached by a personal link.

    Only a hash of the link's token is stored: a leaked database does not let anyone answer for the learner.
    """

    application = models.ForeignKey(
        "inscriptions.Application", verbose_name=_("candidature"), on_delete=models.CASCADE, related_name="surveys"
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
