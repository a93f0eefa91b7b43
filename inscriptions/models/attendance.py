"""Attendance: who was there on each half-day of a session (feuilles d'émargement), and the half-days not held."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from formations.enums import HalfDayPart
from inscriptions.enums import AttendanceStatus


class Attendance(models.Model):
    """One person's mark on one half-day. No row: not recorded (yet)."""

    application = models.ForeignKey(
        "inscriptions.Application",
        verbose_name=_("candidature"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    day = models.DateField(_("jour"))
    part = models.CharField(_("demi-journée"), max_length=10, choices=HalfDayPart.choices)
    status = models.CharField(_("présence"), max_length=10, choices=AttendanceStatus.choices)
    # The half-day's length on the timetable when it was recorded: a later change of timetable does not rewrite
    # the hours already attended.
    hours = models.DecimalField(_("heures"), max_digits=4, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("noté par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("noté le"), default=timezone.now)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        ordering = ["day", "part", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "day", "part"], name="one_attendance_per_half_day"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="attendance_hours_positive"),
        ]
        indexes = [models.Index(fields=["day", "part"])]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.get_part_display()} : {self.get_status_display()}"


class CancelledHalfDay(models.Model):
    """A half-day of the timetable that did not take place, for the whole session: no sheet, no hours."""

    session = models.ForeignKey(
        "formations.Session",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="cancelled_half_days",
    )
    day = models.DateField(_("jour"))
    part = models.CharField(_("demi-journée"), max_length=10, choices=HalfDayPart.choices)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("annulée le"), default=timezone.now)

    class Meta:
        verbose_name = _("demi-journée annulée")
        verbose_name_plural = _("demi-journées annulées")
        constraints = [
            models.UniqueConstraint(fields=["session", "day", "part"], name="one_cancellation_per_half_day"),
        ]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.get_part_display()}"
