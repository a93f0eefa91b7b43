"""Attendance sheets (feuilles d'émargement): who is on a sheet, recording it, hours attended, rates, long absences.

The attendance rate is defined once, in `attendance_rate()`, and docs/indicators.md says it in words: hours present
over the hours of the half-days recorded present or absent; an excused absence counts on neither side.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from inscriptions.enums import AttendanceStatus
from inscriptions.exceptions import Refused
from inscriptions.models import Attendance, CancelledHalfDay
from inscriptions.workflow import ENTERED_TRAINING

ZERO = Decimal("0.00")


# --- Who is on a sheet ---------------------------------------------------------------------------


def entered_on(application):
    """The first day the person is in training: the recorded start date once it exists, else the session's start."""
    started_on = getattr(application, "started_on", None)
    return started_on or application.session.start_date


def is_in_training_on(application, day):
    """Entered the training and not left it yet that day (the exit day itself is still on the sheet)."""
    if application.status not in ENTERED_TRAINING:
        return False
    if day < entered_on(application):
        return False
    return application.left_on is None or day <= application.left_on


def trainees(session):
    """Everyone who entered the session's training, in alphabetical order, in one query."""
    return list(
        session.applications.filter(status__in=sorted(ENTERED_TRAINING))
        .select_related("learner", "session")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )


def on_sheet(session, day, people=None):
    """The people on the session's sheet for that day, from `people` (else read) in alphabetical order."""
    people = trainees(session) if people is None else people
    return [application for application in people if is_in_training_on(application, day)]


# --- Recording -----------------------------------------------------------------------------------


def cancelled(session):
    """{(day, part)} of the session's half-days that did not take place."""
    return set(session.cancelled_half_days.values_list("day", "part"))


def sheet_obstacle(session, half_day, today=None):
    """Why this half-day's sheet cannot be filled, or ''."""
    today = today or timezone.localdate()
    if half_day is None:
        return _("Ce jour n’est pas un jour de cours de la session.")
    if half_day.day > today:
        return _("Ce jour n’est pas encore passé : les présences se notent le jour même ou après.")
    return ""


def record_sheet(session, half_day, marks, *, by, today=None):
    """Write one half-day's sheet: `marks` is {application pk: AttendanceStatus or ''} ('' = not recorded).

    People not on that day's sheet are ignored. Returns how many people have a mark on the sheet afterwards.
    """
    if obstacle := sheet_obstacle(session, half_day, today):
        raise Refused(obstacle)
    if (half_day.day, half_day.part) in cancelled(session):
        raise Refused(_("Cette demi-journée est annulée : rétablissez-la avant de noter les présences."))
    people = {application.pk for application in on_sheet(session, half_day.day)}
    with transaction.atomic():
        existing = {
            row.application_id: row
            for row in Attendance.objects.select_for_update().filter(
                application__session=session, day=half_day.day, part=half_day.part
            )
        }
        now = timezone.now()
        created, changed, removed = [], [], []
        for pk in people:
            status = marks.get(pk) or ""
            row = existing.get(pk)
            if not status:
                if row is not None:
                    removed.append(row.pk)
            elif row is None:
                created.append(
                    Attendance(
                        application_id=pk,
                        day=half_day.day,
                        part=half_day.part,
                        status=status,
                        hours=half_day.hours,
                        recorded_by=by,
                        recorded_at=now,
                    )
                )
            elif row.status != status:
                row.status, row.recorded_by, row.recorded_at = status, by, now
                changed.append(row)
        Attendance.objects.bulk_create(created)
        Attendance.objects.bulk_update(changed, ["status", "recorded_by", "recorded_at"])
        Attendance.objects.filter(pk__in=removed).delete()
    return len([pk for pk in people if marks.get(pk)])


def cancel_half_day(session, half_day, *, by, today=None):
    """Mark the half-day as not held for the whole session: its marks are removed, its hours count for nobody."""
    if half_day is None:
        raise Refused(_("Ce jour n’est pas un jour de cours de la session."))
    with transaction.atomic():
        CancelledHalfDay.objects.get_or_create(
            session=session, day=half_day.day, part=half_day.part, defaults={"cancelled_by": by}
        )
        Attendance.objects.filter(application__session=session, day=half_day.day, part=half_day.part).delete()


def restore_half_day(session, half_day):
    CancelledHalfDay.objects.filter(session=session, day=half_day.day, part=half_day.part).delete()


# --- Hours and rates -----------------------------------------------------------------------------


def attendance_rate(present_hours, absent_hours):
    """The attendance rate, in percent with one decimal: hours present ÷ (hours present + hours absent without
    excuse). Excused absences and half-days not recorded count on neither side. None when nothing counts."""
    counted = (present_hours or 0) + (absent_hours or 0)
    if not counted:
        return None
    return (Decimal(100) * Decimal(present_hours or 0) / Decimal(counted)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Summary:
    present_hours: Decimal = ZERO
    absent_hours: Decimal = ZERO
    excused_hours: Decimal = ZERO

    @property
    def rate(self):
        return attendance_rate(self.present_hours, self.absent_hours)

    @property
    def recorded(self):
        return bool(self.present_hours or self.absent_hours or self.excused_hours)


def _hours(status):
    return Coalesce(
        Sum("hours", filter=Q(status=status)),
        Value(ZERO),
        output_field=DecimalField(max_digits=8, decimal_places=2),
    )


def hours_by_status():
    """Aggregates for values(): the hours recorded present, absent and excused."""
    return {
        "present_hours": _hours(AttendanceStatus.PRESENT),
        "absent_hours": _hours(AttendanceStatus.ABSENT),
        "excused_hours": _hours(AttendanceStatus.EXCUSED),
    }


def hours_present():
    """For annotate() on applications: the hours of their half-days marked present, NULL if none."""
    present = (
        Attendance.objects.filter(application=OuterRef("pk"), status=AttendanceStatus.PRESENT)
        .order_by()
        .values("application")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return Subquery(present, output_field=DecimalField(max_digits=8, decimal_places=2))


def summaries(applications):
    """{application pk: Summary} of these applications (a queryset or a list of pks), in one query."""
    rows = (
        Attendance.objects.filter(application__in=applications)
        .order_by()
        .values("application_id")
        .annotate(**hours_by_status())
    )
    return {
        row["application_id"]: Summary(row["present_hours"], row["absent_hours"], row["excused_hours"]) for row in rows
    }


def summary_of(application):
    return summaries([application.pk]).get(application.pk, Summary())


def session_summary(session):
    """The whole session's hours: every person's added up, so that its rate weighs each hour the same."""
    row = Attendance.objects.filter(application__session=session).aggregate(**hours_by_status())
    return Summary(row["present_hours"], row["absent_hours"], row["excused_hours"])


# --- Long absences -------------------------------------------------------------------------------


def absent_days_in_a_row(marks):
    """The current run of days absent, from [(day, status)] in day order.

    A day counts as absent when one of its half-days is recorded absent and none present; a day with a presence or
    only excused absences ends the run; days with nothing recorded do not count either way.
    """
    by_day = {}
    for day, status in marks:
        by_day.setdefault(day, set()).add(status)
    run = 0
    for day in sorted(by_day):
        statuses = by_day[day]
        if AttendanceStatus.ABSENT in statuses and AttendanceStatus.PRESENT not in statuses:
            run += 1
        else:
            run = 0
    return run


def long_absences(applications, days=None):
    """{application pk: days absent in a row} of those whose current run reaches `days`
    (ATTENDANCE_ABSENCE_ALERT_DAYS), among these applications in training. One query."""
    days = days or settings.ATTENDANCE_ABSENCE_ALERT_DAYS
    rows = (
        Attendance.objects.filter(application__in=applications, application__status__in=sorted(ENTERED_TRAINING))
        .exclude(application__left_on__isnull=False)
        .order_by("application_id", "day")
        .values_list("application_id", "day", "status")
    )
    marks = {}
    for pk, day, status in rows:
        marks.setdefault(pk, []).append((day, status))
    runs = {pk: absent_days_in_a_row(found) for pk, found in marks.items()}
    return {pk: run for pk, run in runs.items() if run >= days}


def flagged_applications(queryset, days=None):
    """The applications of `queryset` flagged for a long absence, as a queryset."""
    return queryset.filter(pk__in=list(long_absences(queryset, days)))


# --- A session's days ----------------------------------------------------------------------------


@dataclass
class SheetDay:
    half_day: object
    cancelled: bool
    expected: int
    recorded: int

    @property
    def is_filled(self):
        return not self.cancelled and self.expected > 0 and self.recorded >= self.expected


def sheet_days(session, people=None, start=None, end=None):
    """Each half-day of the session's timetable (within start and end), with how many people are on its sheet and
    how many have a mark. Two queries, whatever the number of people and days (plus one if `people` is not given)."""
    people = trainees(session) if people is None else people
    not_held = cancelled(session)
    # Counted by the database: one row per half-day, not one per mark.
    counts = {
        (row["day"], row["part"]): row["marks"]
        for row in Attendance.objects.filter(application__session=session)
        .order_by()
        .values("day", "part")
        .annotate(marks=Count("pk"))
    }
    days = []
    for half_day in session.half_days(start, end):
        key = (half_day.day, half_day.part)
        expected = len(on_sheet(session, half_day.day, people))
        days.append(SheetDay(half_day, key in not_held, expected, counts.get(key, 0)))
    return days


def week_of(day):
    """The Monday of the week of `day`."""
    return day - datetime.timedelta(days=day.weekday())
