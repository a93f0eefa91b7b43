"""The attendance sheet for signatures (feuille d'émargement), as a spreadsheet to print: a week or a whole session."""

import io
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from inscriptions.enums import AttendanceStatus
from inscriptions.models import Attendance
from inscriptions.resources import neutralise_formula
from inscriptions.services import attendance

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHORT_MARKS = {
    AttendanceStatus.PRESENT: "P",
    AttendanceStatus.ABSENT: "A",
    AttendanceStatus.EXCUSED: "AJ",
}
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def hours_text(hours):
    return formats.number_format(Decimal(hours).normalize(), use_l10n=True) + " h"


def half_day_heading(half_day):
    return f"{formats.date_format(half_day.day, 'D d/m')} {half_day.part_label.lower()} ({hours_text(half_day.hours)})"


def sheet_rows(session, start=None, end=None):
    """(half-days, [(application, {(day, part): status}, hours present)]) of the session between start and end."""
    half_days = session.half_days(start, end)
    people = attendance.trainees(session)
    if half_days:
        first, last = half_days[0].day, half_days[-1].day
        people = [app for app in people if attendance.entered_on(app) <= last and (app.left_on or last) >= first]
    marks = {}
    records = Attendance.objects.filter(application__session=session)
    if start:
        records = records.filter(day__gte=start)
    if end:
        records = records.filter(day__lte=end)
    for pk, day, part, status, hours in records.values_list("application_id", "day", "part", "status", "hours"):
        found = marks.setdefault(pk, ({}, [Decimal(0)]))
        found[0][(day, part)] = status
        if status == AttendanceStatus.PRESENT:
            found[1][0] += hours
    rows = []
    for application in people:
        found, hours = marks.get(application.pk, ({}, [Decimal(0)]))
        rows.append((application, found, hours[0]))
    return half_days, rows


def sheet_table(session, start=None, end=None):
    """The sheet's cells as text, for the printable page: (headings, [(last name, first name, cells, hours)])."""
    half_days, rows = sheet_rows(session, start, end)
    not_held = attendance.cancelled(session)
    lines = []
    for application, marks, hours in rows:
        cells = []
        for half_day in half_days:
            key = (half_day.day, half_day.part)
            if key in not_held:
                cells.append(_("annulé"))
            elif not attendance.is_in_training_on(application, half_day.day):
                cells.append("–")
            else:
                cells.append(SHORT_MARKS.get(marks.get(key), ""))
        lines.append((application.learner.last_name, application.learner.first_name, cells, hours))
    return [half_day_heading(half_day) for half_day in half_days], lines


def sheet_styles(workbook):
    """The names of the heading's style and the cells' style, added to this workbook."""
    header = NamedStyle(
        name="emargement_entete",
        font=Font(bold=True),
        border=BOX,
        alignment=Alignment(wrap_text=True, vertical="center"),
    )
    cell = NamedStyle(name="emargement_case", border=BOX, alignment=Alignment(horizontal="center", vertical="center"))
    workbook.add_named_style(header)
    workbook.add_named_style(cell)
    return header.name, cell.name


def styled(sheet, values, style):
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.style = style
        cells.append(cell)
    return cells


def attendance_workbook(session, start=None, end=None):
    """The sheet as XLSX bytes: one line per person, one column per half-day to sign, the hours attended.

    Written in streaming mode: each line goes to the file as it comes, none is kept, so that every line costs
    the same whatever the sheet's size."""
    headings, lines = sheet_table(session, start, end)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Émargement"))
    header_style, cell_style = sheet_styles(workbook)
    period = (start or session.start_date, min(end or session.end_date, session.end_date))
    header = [_("Nom"), _("Prénom"), *headings, _("Heures suivies")]
    # Below five title lines and an empty one.
    header_row = 7
    signature_row = header_row + len(lines) + 2
    # Widths and heights go before the first line in this mode.
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 18
    for index in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    for row in [*range(header_row + 1, header_row + 1 + len(lines)), signature_row]:
        sheet.row_dimensions[row].height = 36
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    title = WriteOnlyCell(sheet, value=_("Feuille d’émargement"))
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append([_("Campus"), neutralise_formula(session.campus.title)])
    sheet.append([_("Formation"), neutralise_formula(session.formation.title)])
    sheet.append(
        [
            _("Période"),
            _("du %(start)s au %(end)s") % {"start": f"{period[0]:%d/%m/%Y}", "end": f"{period[1]:%d/%m/%Y}"},
        ]
    )
    sheet.append([_("P : présent·e ; A : absent·e ; AJ : absence justifiée ; case vide : à signer.")])
    sheet.append([])
    sheet.append(styled(sheet, header, header_style))
    for last_name, first_name, cells, hours in lines:
        values = [neutralise_formula(last_name), neutralise_formula(first_name), *cells, float(hours)]
        sheet.append(styled(sheet, values, cell_style))
    sheet.append([])
    sheet.append([_("Signature de la formatrice ou du formateur")])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
