"""Staff pages of attendance: a session's days, one half-day's sheet, the sheet for signatures as a spreadsheet.

Every view finds the session among those the user may see (else 404), and asks the applications' permissions.
"""

import datetime
import itertools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from formations.enums import HalfDayPart
from formations.models import Session
from inscriptions.admin_forms import AttendanceSheetForm
from inscriptions.admin_views import INDEX_BREADCRUMB, can_see_applications
from inscriptions.attendance_sheets import XLSX_CONTENT_TYPE, attendance_workbook, hours_text, sheet_table
from inscriptions.exceptions import Refused
from inscriptions.models import Attendance
from inscriptions.services import attendance


def get_session(request, pk, permission="inscriptions.view_application"):
    """The session if the user may see it (else 404) and may see applications with this permission (else 403)."""
    session = get_object_or_404(Session.objects.visible_to(request.user).select_related("formation", "campus"), pk=pk)
    if not can_see_applications(request.user) or not request.user.has_perm(permission):
        raise PermissionDenied
    return session


def parse_week(value, session):
    """The Monday of the week asked (?semaine=YYYY-MM-DD), or None for the whole session."""
    if not value:
        return None
    try:
        return attendance.week_of(datetime.date.fromisoformat(value))
    except ValueError:
        raise Http404 from None


class SessionAttendanceMixin(WagtailAdminTemplateMixin):
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        self.session = get_session(request, kwargs["session_pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def session_url(self):
        return reverse("inscriptions_admin:attendance", args=[self.session.pk])

    def get_page_subtitle(self):
        return str(self.session)


@method_decorator(never_cache, name="dispatch")
class SessionAttendanceView(SessionAttendanceMixin, TemplateView):
    """A session's days (filled or not), its attendance rate, and each person's hours, rate and long absence."""

    template_name = "inscriptions/admin/attendance_session.html"
    page_title = gettext_lazy("Présences")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, INDEX_BREADCRUMB, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        session = self.session
        people = attendance.trainees(session)
        summaries = attendance.summaries([application.pk for application in people])
        flagged = attendance.long_absences([application.pk for application in people])
        days = attendance.sheet_days(session, people)
        by_week = itertools.groupby(days, key=lambda sheet_day: attendance.week_of(sheet_day.half_day.day))
        weeks = [(monday, list(week_days)) for monday, week_days in by_week]
        rows = [
            {
                "application": application,
                "summary": summaries.get(application.pk, attendance.Summary()),
                "absent_days": flagged.get(application.pk),
            }
            for application in people
        ]
        return super().get_context_data(
            session=session,
            weeks=weeks,
            rows=rows,
            flagged_rows=[row for row in rows if row["absent_days"]],
            session_summary=attendance.session_summary(session),
            alert_days=settings.ATTENDANCE_ABSENCE_ALERT_DAYS,
            today=timezone.localdate(),
            has_timetable=bool(session.slots and session.class_days),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class AttendanceSheetView(SessionAttendanceMixin, TemplateView):
    """One half-day's sheet: present, absent or excused for everyone at once, and one Save."""

    template_name = "inscriptions/admin/attendance_sheet.html"

    def dispatch(self, request, *args, **kwargs):
        self.session = get_session(request, kwargs["session_pk"])
        try:
            day = datetime.date.fromisoformat(kwargs["day"])
        except ValueError:
            raise Http404 from None
        if kwargs["part"] not in HalfDayPart.values:
            raise Http404
        self.half_day = self.session.half_day(day, kwargs["part"])
        if self.half_day is None:
            raise Http404
        return super(SessionAttendanceMixin, self).dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Présences du %(day)s, %(part)s") % {
            "day": f"{self.half_day.day:%d/%m/%Y}",
            "part": self.half_day.part_label.lower(),
        }

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            INDEX_BREADCRUMB,
            {"url": self.session_url, "label": _("Présences")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form(self, data=None):
        self.people = attendance.on_sheet(self.session, self.half_day.day)
        marks = dict(
            Attendance.objects.filter(
                application__in=[application.pk for application in self.people],
                day=self.half_day.day,
                part=self.half_day.part,
            ).values_list("application_id", "status")
        )
        is_cancelled = (self.half_day.day, self.half_day.part) in attendance.cancelled(self.session)
        return AttendanceSheetForm(data, people=self.people, marks=marks, not_held=is_cancelled)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(
            session=self.session,
            half_day=self.half_day,
            hours=hours_text(self.half_day.hours),
            obstacle=attendance.sheet_obstacle(self.session, self.half_day),
            can_record=self.request.user.has_perm("inscriptions.decide_application"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("inscriptions.decide_application"):
            raise PermissionDenied
        form = self.get_form(request.POST)
        valid = form.is_valid()
        if obstacle := attendance.sheet_obstacle(self.session, self.half_day):
            form.add_error(None, obstacle)
        elif valid:
            try:
                if form.cleaned_data["not_held"]:
                    attendance.cancel_half_day(self.session, self.half_day, by=request.user)
                    messages.success(request, _("%(half_day)s : demi-journée annulée.") % {"half_day": self.label})
                    return redirect(self.session_url)
                attendance.restore_half_day(self.session, self.half_day)
                count = attendance.record_sheet(self.session, self.half_day, form.marks(), by=request.user)
            except Refused as refused:
                form.add_error(None, refused.reason)
            else:
                messages.success(
                    request,
                    _("%(half_day)s : présences enregistrées (%(count)d sur %(total)d).")
                    % {"half_day": self.label, "count": count, "total": len(self.people)},
                )
                return redirect(self.session_url)
        return self.render_to_response(self.get_context_data(form=form))

    @property
    def label(self):
        return f"{self.half_day.day:%d/%m/%Y} {self.half_day.part_label.lower()}"


@never_cache
def attendance_sheet_download(request, session_pk):
    """The sheet for signatures as XLSX: the week of ?semaine=YYYY-MM-DD, or the whole session."""
    session = get_session(request, session_pk)
    monday = parse_week(request.GET.get("semaine"), session)
    end = monday + datetime.timedelta(days=6) if monday else None
    content = attendance_workbook(session, monday, end)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    suffix = f"semaine-{monday:%Y-%m-%d}" if monday else "session"
    response["Content-Disposition"] = f'attachment; filename="emargement-{session.pk}-{suffix}.xlsx"'
    return response


@never_cache
def attendance_sheet_print(request, session_pk):
    """The sheet for signatures as a page to print: the week of ?semaine=YYYY-MM-DD, or the whole session."""
    session = get_session(request, session_pk)
    monday = parse_week(request.GET.get("semaine"), session)
    end = monday + datetime.timedelta(days=6) if monday else None
    headings, lines = sheet_table(session, monday, end)
    return render(
        request,
        "inscriptions/admin/attendance_print.html",
        {
            "session": session,
            "start": max(monday, session.start_date) if monday else session.start_date,
            "end": min(end, session.end_date) if end else session.end_date,
            "headings": headings,
            "lines": lines,
        },
    )
