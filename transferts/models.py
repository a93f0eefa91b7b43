import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from home.models import private_storage


def data_job_file_to(instance, filename):
    # A random name: the file may hold personal data and its name must not be guessable.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"transferts/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class DataJob(models.Model):
    """An import or export too big for one web request, run as a background task, with its progress.

    `kind` names what is moved (participants, follow-ups, referrals, agreements…), `params` what was asked;
    the code that runs each kind lives with the app that owns its data.
    """

    class Direction(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")

    class State(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        PREVIEW = "preview", _("Aperçu prêt, à confirmer")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    direction = models.CharField(_("sens"), max_length=6, choices=Direction.choices)
    kind = models.CharField(_("données"), max_length=30)
    file_format = models.CharField(_("format"), max_length=5)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.CASCADE,
        related_name="data_jobs",
    )
    campus = models.ForeignKey(
        "campus.CampusPage",
        verbose_name=_("campus"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the job is about, when it is not a campus (an agreement…): the app owning it declares a GenericRelation
    # to DataJob, so that deleting the subject deletes its jobs and their files.
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("type du sujet"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("sujet"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(_("lignes traitées"), default=0)
    total = models.PositiveIntegerField(_("lignes en tout"), default=0)
    source = models.FileField(_("fichier reçu"), storage=private_storage, upload_to=data_job_file_to, blank=True)
    result = models.FileField(_("fichier produit"), storage=private_storage, upload_to=data_job_file_to, blank=True)
    summary = models.JSONField(_("résultat"), default=dict, blank=True)
    errors = models.JSONField(_("erreurs"), default=list, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # Given by the task as it goes: a running job whose last beat is older than IMPORT_STALE_AFTER_SECONDS lost
    # its worker (transferts/recovery.py).
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    # How many times a job was queued again after its worker stopped: once, then it is marked failed.
    restarts = models.PositiveSmallIntegerField(_("relances"), default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import ou export")
        verbose_name_plural = _("imports et exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.get_direction_display()} {self.kind} ({self.get_state_display()})"

    def record_progress(self, done):
        """Save how far the job has gone, from inside its task, without touching the other fields: a heartbeat."""
        type(self).objects.filter(pk=self.pk).update(done=done, heartbeat_at=timezone.now())

    def beat(self):
        """Show that the task is alive, without touching the other fields."""
        self.heartbeat_at = timezone.now()
        type(self).objects.filter(pk=self.pk).update(heartbeat_at=self.heartbeat_at)

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0
