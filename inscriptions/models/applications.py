"""Applications to sessions, their history, and the notes staff keep about them."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from campus.models import CampusScopedQuerySet
from home.models import private_storage
from inscriptions.enums import (
    AgeBand,
    Availability,
    Diploma,
    FollowUpMilestone,
    Gender,
    JobSeekingDuration,
    Nationality,
    QpvResidence,
    Situation,
    YesNoUnsaid,
)
from inscriptions.models.entry import ANSWER_NAMES, EntryAnswers
from inscriptions.models.follow_ups import due_on
from inscriptions.models.learners import Learner
from inscriptions.workflow import (
    AWAITING_START,
    CERTIFICATION_DECIDED,
    DECIDED,
    ENTERED_TRAINING,
    INACTIVE,
    LEFT_TRAINING,
    NEVER_DECIDED,
    UNDECIDED,
    Role,
    Stage,
    Status,
)

# What is copied onto the application when the training starts: {application field: source field}. The profile's
# answers come from the learner; the funders' questions, asked only after admission, from their EntryAnswers.
PROFILE_FACTS = {
    "entry_gender": "gender",
    "entry_diploma": "diploma",
    "entry_situation": "situation",
    "entry_job_seeking_duration": "job_seeking_duration",
    "entry_qpv_residence": "qpv_residence",
}
ANSWER_FACTS = {f"entry_{name}": name for name in ANSWER_NAMES}
ENTRY_FACTS = {**PROFILE_FACTS, **ANSWER_FACTS}
# What reaching a stage writes, besides the status: save() adds them to the fields it is asked to write.
STAGE_FIELDS = ("furthest_stage", "entry_recorded_at", *ENTRY_FACTS, "started_on", "certification_on")


def values(statuses):
    """Sorted plain values, so that constraints built from status sets give the same migration every time."""
    return sorted(str(status) for status in statuses)


def cv_upload_to(instance, filename):
    # Never keep the original file name: it often holds the person's name.
    return f"cv/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class ApplicationQuerySet(CampusScopedQuerySet):
    def active(self):
        return self.exclude(status__in=INACTIVE)

    def undecided(self):
        return self.filter(status__in=UNDECIDED)

    def waitlist(self, session):
        return self.filter(session=session, status=Status.WAITLISTED).order_by("waitlisted_at", "pk")

    def awaiting_start(self):
        """Admitted or enrolled, the training not started yet: while one exists, the person may answer the
        funders' questions, which are copied onto it when it starts."""
        return self.filter(status__in=AWAITING_START)

    def due_start_reminder(self, today, days):
        """Enrolled, the session starting within `days` days, and not reminded yet."""
        return self.filter(
            status=Status.ENROLLED,
            session__start_date__gte=today,
            session__start_date__lte=today + datetime.timedelta(days=days),
            start_reminder_sent_at__isnull=True,
        )

    def left_training(self):
        return self.filter(status__in=LEFT_TRAINING, left_on__isnull=False)

    def people_of(self, session):
        """A session's applications with what its people list shows, in one query whatever their number."""
        from inscriptions.models.payments import SETTLED, Payment

        return (
            self.filter(session=session)
            .select_related("learner__user")
            .annotate(has_paid=Exists(Payment.objects.filter(application=OuterRef("pk"), status__in=SETTLED)))
            .order_by("learner__last_name", "learner__first_name", "pk")
        )

    def bulk_create(self, objs, *args, **kwargs):
        """Like save(), give each row the stage its status stands for and, in training, its entry facts: rows
        written in bulk (seed data, measurements) meet the same constraints as the others."""
        objs = list(objs)
        started = [app for app in objs if Stage.of(app.status) == Stage.STARTED and app.entry_recorded_at is None]
        missing = {app.learner_id for app in started if not Application.learner.is_cached(app)}
        learners = Learner.objects.in_bulk(missing) if missing else {}
        for application in objs:
            if application.learner_id in learners and not Application.learner.is_cached(application):
                application.learner = learners[application.learner_id]
        # Their answers too, in one query: reach_stage() reads them through the learner.
        wanted = {app.learner_id for app in started}
        answers = {row.learner_id: row for row in EntryAnswers.objects.filter(learner_id__in=wanted)} if wanted else {}
        for application in started:
            Learner.entry_answers.related.set_cached_value(application.learner, answers.get(application.learner_id))
        for application in objs:
            application.reach_stage()
        return super().bulk_create(objs, *args, **kwargs)


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
    # The days the steps happened, as staff recorded them (services.transitions checks their bounds): what the
    # indicators and the funders' files read, not the day someone clicked.
    started_on = models.DateField(_("début de formation le"), null=True, blank=True, editable=False)
    left_on = models.DateField(_("sortie de formation le"), null=True, blank=True)
    certification_on = models.DateField(_("résultat de la certification le"), null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(_("relance envoyée à l’équipe le"), null=True, blank=True, editable=False)
    start_reminder_sent_at = models.DateTimeField(
        _("rappel du début envoyé le"), null=True, blank=True, editable=False
    )
    # Only ever raised (reach_stage): a withdrawal, a seat released for want of payment or an erasure leave it.
    furthest_stage = models.PositiveSmallIntegerField(
        _("étape la plus avancée"), choices=Stage.choices, default=Stage.APPLIED, editable=False
    )
    # The profile as it was when the training started, copied once and never changed: what the funders count
    # does not move when the person edits their profile or deletes their account.
    entry_recorded_at = models.DateTimeField(_("entrée en formation enregistrée le"), null=True, editable=False)
    entry_gender = models.CharField(
        _("genre à l’entrée"), max_length=10, choices=Gender.choices, blank=True, editable=False
    )
    entry_diploma = models.CharField(
        _("diplôme à l’entrée"), max_length=10, choices=Diploma.choices, blank=True, editable=False
    )
    entry_situation = models.CharField(
        _("situation à l’entrée"), max_length=25, choices=Situation.choices, blank=True, editable=False
    )
    entry_job_seeking_duration = models.CharField(
        _("durée de recherche d’emploi à l’entrée"),
        max_length=15,
        choices=JobSeekingDuration.choices,
        blank=True,
        editable=False,
    )
    entry_qpv_residence = models.CharField(
        _("résidence en QPV à l’entrée"), max_length=12, choices=QpvResidence.choices, blank=True, editable=False
    )
    entry_rqth = models.BooleanField(_("RQTH à l’entrée"), default=False, editable=False)
    entry_nationality = models.CharField(
        _("nationalité à l’entrée"), max_length=10, choices=Nationality.choices, blank=True, editable=False
    )
    entry_foreign_background = models.CharField(
        _("parent né à l’étranger, à l’entrée"),
        max_length=3,
        choices=YesNoUnsaid.choices,
        blank=True,
        editable=False,
    )
    entry_housing_exclusion = models.BooleanField(
        _("sans logement ou mal logé·e à l’entrée"), default=False, editable=False
    )
    entry_rural_area = models.BooleanField(_("en zone rurale à l’entrée"), default=False, editable=False)
    # Written in the form when it is shown: the same form sent twice (a retry after an error page, a double tap)
    # lands on the application the first one saved instead of making a second one or reading as a failure.
    submission_key = models.UUIDField(_("clé d’envoi"), null=True, blank=True, editable=False)

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
            models.UniqueConstraint(fields=["learner", "submission_key"], name="one_application_per_submission_key"),
            # The dates the transitions write, tied to the statuses they write them with (services.transitions).
            models.CheckConstraint(
                condition=Q(status__in=values(DECIDED), decided_at__isnull=False)
                | Q(status__in=values(NEVER_DECIDED), decided_at__isnull=True)
                | Q(status=Status.WITHDRAWN),
                name="application_decided_at_once_decided",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.WAITLISTED, waitlisted_at__isnull=False)
                | Q(status__in=values(NEVER_DECIDED), waitlisted_at__isnull=True)
                | ~Q(status__in=values(NEVER_DECIDED | {Status.WAITLISTED})),
                name="application_waitlisted_at_when_waitlisted",
            ),
            models.CheckConstraint(
                condition=Q(status__in=values(LEFT_TRAINING), left_on__isnull=False)
                | (~Q(status__in=values(LEFT_TRAINING)) & Q(left_on__isnull=True)),
                name="application_left_on_iff_left_training",
            ),
            models.CheckConstraint(
                condition=Q(status__in=values(ENTERED_TRAINING), started_on__isnull=False)
                | (~Q(status__in=values(ENTERED_TRAINING)) & Q(started_on__isnull=True)),
                name="application_started_on_iff_entered_training",
            ),
            models.CheckConstraint(
                condition=Q(status__in=values(CERTIFICATION_DECIDED), certification_on__isnull=False)
                | (~Q(status__in=values(CERTIFICATION_DECIDED)) & Q(certification_on__isnull=True)),
                name="application_certification_on_iff_certification_decided",
            ),
            # A status never stands below the stage the application reached (Stage.of, reach_stage).
            models.CheckConstraint(
                condition=Q(furthest_stage__lte=Stage.STARTED)
                & (
                    Q(status__in=values(ENTERED_TRAINING), furthest_stage=Stage.STARTED)
                    | Q(status=Status.ENROLLED, furthest_stage__gte=Stage.ENROLLED)
                    | Q(status=Status.ADMITTED, furthest_stage__gte=Stage.ADMITTED)
                    | ~Q(status__in=values(ENTERED_TRAINING | {Status.ENROLLED, Status.ADMITTED}))
                ),
                name="application_furthest_stage_reached",
            ),
            models.CheckConstraint(
                condition=Q(furthest_stage=Stage.STARTED, entry_recorded_at__isnull=False)
                | Q(furthest_stage__lt=Stage.STARTED, entry_recorded_at__isnull=True),
                name="application_entry_recorded_once_started",
            ),
        ]
        indexes = [
            models.Index(fields=["campus", "status", "-submitted_at"]),
            models.Index(fields=["session", "status", "waitlisted_at"]),
            models.Index(fields=["status", "submitted_at"]),
            # A formation page's "what became of them" reads its sessions' leavers of a 24-month window
            # (financeurs.indicators.public): the departure day in the index skips the years before it.
            models.Index(fields=["session", "left_on"], name="application_session_left_on"),
        ]
        permissions = [("decide_application", _("Peut faire avancer les candidatures de son campus"))]

    def __str__(self):
        return _("%(learner)s – %(session)s") % {"learner": self.learner, "session": self.session}

    def save(self, *args, **kwargs):
        if self.session_id and not self.campus_id:
            self.campus_id = self.session.campus_id
        reached = self.reach_stage()
        if reached and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *reached}
        # Only a corrected exit date: no follow-up exists before the first one is set.
        stored = getattr(self, "_stored_left_on", None)
        exit_moved = stored is not None and stored != self.left_on
        super().save(*args, **kwargs)
        if exit_moved:
            # A follow-up counts for its milestone only if recorded on or after its due day: that day moves too.
            for milestone in FollowUpMilestone:
                self.follow_ups.filter(milestone=milestone).update(due_on=due_on(self.left_on, milestone))
        self._stored_left_on = self.left_on

    @classmethod
    def from_db(cls, db, field_names, values):
        application = super().from_db(db, field_names, values)
        # Remembered to tell, on save, whether the follow-ups' due days must follow a corrected exit date.
        application._stored_left_on = application.__dict__.get("left_on")
        return application

    def reach_stage(self):
        """Raise furthest_stage to the stage of the current status and, the first time the training starts,
        copy the entry facts from the learner's profile and answers. Returns the names of the fields it changed."""
        stage = max(self.furthest_stage, Stage.of(self.status))
        changed = []
        if stage != self.furthest_stage:
            self.furthest_stage = stage
            changed.append("furthest_stage")
        if stage == Stage.STARTED and self.entry_recorded_at is None:
            learner = self.learner
            for field, profile_field in PROFILE_FACTS.items():
                setattr(self, field, getattr(learner, profile_field))
            answers = EntryAnswers.of(learner)
            for field, name in ANSWER_FACTS.items():
                answer = getattr(answers, name) if answers is not None else None
                # Not answered: the column's default, which no indicator counts.
                setattr(self, field, self._meta.get_field(field).get_default() if answer is None else answer)
            # The moment the status changed to "in training" (backdated histories included), else now.
            self.entry_recorded_at = self.status_changed_at or timezone.now()
            changed.extend(["entry_recorded_at", *ENTRY_FACTS])
        # Rows written without the transitions (seed data, imports of history, measurements) began with their
        # group: the session's first day, or the day the entry was recorded if earlier, and never after the exit;
        # their result is dated by the last status change. The transitions write the day staff gave.
        if self.status in ENTERED_TRAINING and self.started_on is None:
            recorded = timezone.localdate(self.entry_recorded_at or self.status_changed_at or timezone.now())
            self.started_on = min(day for day in (recorded, self.session.start_date, self.left_on) if day)
            changed.append("started_on")
        if self.status in CERTIFICATION_DECIDED and self.certification_on is None:
            self.certification_on = timezone.localdate(self.status_changed_at or timezone.now())
            changed.append("certification_on")
        return changed

    @property
    def is_active(self):
        return self.status not in INACTIVE

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
        return {milestone: due_on(self.left_on, milestone) for milestone in FollowUpMilestone}


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
