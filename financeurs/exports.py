"""Writing the funders' files: CSV, XLSX, ODS and JSON, streamed or within bounded memory.

The columns and values come from financeurs/resources.py and financeurs/participant_file.py; this module only
renders them. CSV is what French Excel opens well (UTF-8 with BOM, ";" and decimal commas, dd/mm/yyyy); JSON keeps
types (ISO dates, numbers, true/false); XLSX has a summary sheet then typed cells; ODS goes through tablib, the
slow path, and so runs as a background job above the synchronous limit like any large export.
"""

import codecs
import csv
import datetime
import decimal
import io
import json
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

import tablib
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from financeurs.participant_file import ParticipantResource
from financeurs.resources import ReportResource, counted, memoised

FORMATS = ("csv", "xlsx", "ods", "json")
STREAMED_FORMATS = ("csv", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
PARTICIPANTS, REPORT = "participants", "rapport"
KINDS = (PARTICIPANTS, REPORT)
DATE_DISPLAY = "dd/mm/yyyy"
SUMMARY_SHEET = gettext_lazy("Synthèse")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Characters XML 1.0 cannot hold (openpyxl refuses them too).
ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
PARTICIPANTS_SHEET = gettext_lazy("Participant·es")


@dataclass
class Table:
    headers: list
    types: list
    rows: object  # an iterable of value tuples, consumed once
    anonymity: object = None  # the participant file's anonymity.Plan


def file_name(kind, agreement, period, file_format):
    reference = re.sub(r"[^A-Za-z0-9_-]+", "-", agreement.reference).strip("-") or str(agreement.pk)
    return f"{kind}-{reference}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.{file_format}"


def participant_count(agreement, period):
    return ParticipantResource(agreement, period).get_queryset().count()


def report_table(agreement, period, report=None):
    resource = ReportResource(agreement, period, report=report)
    return Table(resource.get_export_headers(), resource.column_types(), resource.rows()), resource


def participant_table(agreement, period, progress=None):
    """The participants' table, its census taken (and so its anonymity plan known) before any row is written."""
    resource = ParticipantResource(agreement, period)
    anonymity = resource.anonymity
    rows = resource.rows()
    if progress is not None:
        rows = counted(rows, progress, withheld=anonymity.withheld_rows)
    return Table(resource.get_export_headers(), resource.column_types(), rows, anonymity)


def anonymity_lines(anonymity):
    """What the file did to stay k-anonymous, as (label, value) pairs: the summary sheet's lines and the JSON's."""
    return [
        (_("Anonymisation"), _("k = %(k)d") % {"k": anonymity.k}),
        (_("Généralisations appliquées"), ", ".join(anonymity.generalisations) or _("aucune")),
        (_("Lignes aux caractéristiques non diffusées"), anonymity.suppressed_rows),
        (_("Lignes retirées du fichier"), anonymity.withheld_rows),
    ]


def anonymity_note(anonymity):
    """The CSV's first line: a sentence a spreadsheet shows in one cell."""
    return _(
        "# Anonymisation k = %(k)d : chaque combinaison de tranche d’âge, genre, campus, formation, début de "
        "session, diplôme et sortie est partagée par au moins %(k)d personnes pseudonymisées. Généralisations "
        "appliquées : %(steps)s. Lignes aux caractéristiques non diffusées : %(suppressed)d. Lignes retirées du "
        "fichier : %(withheld)d."
    ) % {
        "k": anonymity.k,
        "steps": ", ".join(anonymity.generalisations) or _("aucune"),
        "suppressed": anonymity.suppressed_rows,
        "withheld": anonymity.withheld_rows,
    }


# --- Cell rendering -----------------------------------------------------------------------------


def yes_no_words():
    """yes_no() as a dict lookup: translated once per file, not once per cell."""
    return {True: _("Oui"), False: _("Non"), None: None}.__getitem__


def french_number(value):
    if isinstance(value, decimal.Decimal | float):
        return str(value).replace(".", ",")
    return value


def french_date(value):
    return value.strftime("%d/%m/%Y") if value is not None else None


def json_value(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def converters(types, **by_type):
    """(column index, function) for the columns whose type this format renders, so other cells pass untouched."""
    return [(index, by_type[kind]) for index, kind in enumerate(types) if kind in by_type]


def converted(rows, conversions):
    if not conversions:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for index, convert in conversions:
            row[index] = convert(row[index])
        yield row


# --- CSV and JSON: streamed ---------------------------------------------------------------------


def csv_chunks(table, rows_per_chunk=500):
    """Bytes of a CSV file, a chunk at a time, for a StreamingHttpResponse or a file.

    A participant file opens with a line starting with "#" that says how it was anonymised, then the headers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if table.anonymity is not None:
        writer.writerow([anonymity_note(table.anonymity)])
    writer.writerow(table.headers)
    yield codecs.BOM_UTF8 + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    conversions = converters(table.types, date=memoised(french_date), bool=yes_no_words(), number=french_number)
    pending = 0
    for row in converted(table.rows, conversions):
        writer.writerow(row)
        pending += 1
        if pending == rows_per_chunk:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode()


def json_rows(table):
    keys = [str(header) for header in table.headers]
    conversions = converters(table.types, date=json_value, number=json_value)
    for row in converted(table.rows, conversions):
        yield dict(zip(keys, row, strict=True))


def json_chunks(table, rows_per_chunk=500):
    """Bytes of a JSON object: how the file was anonymised, then the participants, objects keyed by the headers."""
    anonymity = table.anonymity
    summary = {
        "k": anonymity.k,
        "generalisations": anonymity.generalisations,
        "lignes_aux_caracteristiques_non_diffusees": anonymity.suppressed_rows,
        "lignes_retirees": anonymity.withheld_rows,
    }
    yield ('{"anonymisation": ' + json.dumps(summary, ensure_ascii=False) + ',\n"participants": [').encode()
    separator, parts = "\n", []
    for row in json_rows(table):
        parts.append(separator + json.dumps(row, ensure_ascii=False))
        separator = ",\n"
        if len(parts) == rows_per_chunk:
            yield "".join(parts).encode()
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts).encode()


def report_json(agreement, period, table):
    """The aggregate report as one small JSON object: what it covers, then its indicators."""
    document = {
        "convention": agreement.reference,
        "intitule": agreement.title,
        "financeur": agreement.funder.name,
        "debut": period.start.isoformat(),
        "fin": period.end.isoformat(),
        "genere_le": timezone.localtime().isoformat(timespec="seconds"),
        "indicateurs": list(json_rows(table)),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


# --- XLSX: write-only workbook ------------------------------------------------------------------


def summary_lines(agreement, period, participants, anonymity=None):
    lines = [
        (_("Convention"), f"{agreement.reference} – {agreement.title}"),
        (_("Financeur"), agreement.funder.name),
        (_("Début de la période"), period.start),
        (_("Fin de la période"), period.end),
        (_("Généré le"), timezone.localtime().replace(tzinfo=None, microsecond=0)),
        (_("Participant·es"), participants),
    ]
    return lines + (anonymity_lines(anonymity) if anonymity is not None else [])


def xlsx_dates(sheet):
    """Date cells in French order; one styled cell per distinct date, reused (write-only cells are copied out)."""

    def cell(value):
        if value is None:
            return None
        styled = WriteOnlyCell(sheet, value=value)
        styled.number_format = "dd/mm/yyyy hh:mm" if isinstance(value, datetime.datetime) else DATE_DISPLAY
        return styled

    return memoised(cell)


def xlsx_header(sheet, headers):
    bold = Font(bold=True)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        cells.append(cell)
    return cells


def set_widths(sheet, headers, widths=None):
    for index, header in enumerate(headers, 1):
        width = (widths or {}).get(index) or min(max(len(str(header)) + 2, 12), 45)
        sheet.column_dimensions[get_column_letter(index)].width = width


def write_summary_sheet(workbook, agreement, period, table, participants=None, anonymity=None):
    sheet = workbook.create_sheet(str(SUMMARY_SHEET))
    set_widths(sheet, table.headers, widths={1: 24, 2: 55})
    dates = xlsx_dates(sheet)
    bold = Font(bold=True)
    for label, value in summary_lines(agreement, period, participants, anonymity):
        if value is None:
            continue
        title = WriteOnlyCell(sheet, value=str(label))
        title.font = bold
        sheet.append([title, dates(value) if isinstance(value, datetime.date) else value])
    sheet.append([])
    sheet.append(xlsx_header(sheet, table.headers))
    for row in converted(table.rows, converters(table.types, bool=yes_no_words())):
        sheet.append(row)


def write_participants_sheet(workbook, table):
    """The participants' sheet of a write-only workbook, its rows spliced in as XML.

    openpyxl writes the sheet's frame (frozen header, widths, bold header row) and registers the styles; the rows
    are then written as SpreadsheetML directly, because openpyxl spends ~15 µs per cell and 100,000 participants
    make 2.5 million cells. Strings go inline (no shared-string table to hold in memory).
    """
    sheet = workbook.create_sheet(str(PARTICIPANTS_SHEET))
    sheet.freeze_panes = "A2"
    widths = {index: 13 for index, kind in enumerate(table.types, 1) if kind == "date"}
    set_widths(sheet, table.headers, widths)
    sheet.append(xlsx_header(sheet, table.headers))
    date_cell = WriteOnlyCell(sheet, value=datetime.date(2000, 1, 1))
    date_cell.number_format = DATE_DISPLAY
    date_style = date_cell.style_id  # registers the style in the workbook's styles.xml
    sheet.close()

    path = sheet._writer.out
    with open(path, "rb") as frame:
        head, tail = frame.read().split(b"</sheetData>", 1)
    rows = converted(table.rows, converters(table.types, bool=yes_no_words()))
    with open(path, "wb") as out:
        out.write(head)
        for chunk in sheet_rows_xml(rows, table.types, date_style, first_row=2):
            out.write(chunk)
        out.write(b"</sheetData>" + tail)


class XmlCells(dict):
    """The XML of a cell value (without its reference), remembered per distinct value, up to a bound."""

    LIMIT = 50_000

    def __init__(self, date_style):
        super().__init__()
        self.date_style = date_style

    def __missing__(self, value):
        if len(self) > self.LIMIT:
            self.clear()
        if isinstance(value, str):
            text = escape(ILLEGAL_XML.sub("", value))
            space = ' xml:space="preserve"' if text != text.strip() else ""
            xml = f'" t="inlineStr"><is><t{space}>{text}</t></is></c>'
        elif isinstance(value, datetime.datetime):
            xml = f'" s="{self.date_style}"><v>{to_excel(value)}</v></c>'
        elif isinstance(value, datetime.date):
            xml = f'" s="{self.date_style}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
        else:
            xml = f'"><v>{value}</v></c>'
        self[value] = xml
        return xml


def sheet_rows_xml(rows, types, date_style, first_row, rows_per_chunk=500):
    """UTF-8 chunks of <row> elements; empty cells are left out, as Excel does."""
    letters = [get_column_letter(index) for index in range(1, len(types) + 1)]
    cells = XmlCells(date_style)
    parts = []
    for number, row in enumerate(rows, first_row):
        parts.append(f'<row r="{number}">')
        for letter, value in zip(letters, row, strict=True):
            # Booleans arrive as words (True == 1 would share the cache entry of the number 1).
            if value is not None and value != "":
                parts.append(f'<c r="{letter}{number}{cells[value]}')
        parts.append("</row>")
        if len(parts) > rows_per_chunk * 20:
            yield "".join(parts).encode()
            parts = []
    yield "".join(parts).encode()


def write_xlsx(out, agreement, period, *, participants=None, report=None):
    workbook = Workbook(write_only=True)
    count = None
    if participants is not None:
        count = participant_count(agreement, period)
    anonymity = participants.anonymity if participants is not None else None
    write_summary_sheet(workbook, agreement, period, report_table(agreement, period, report)[0], count, anonymity)
    if participants is not None:
        write_participants_sheet(workbook, participants)
    workbook.save(out)


# --- ODS: through tablib ------------------------------------------------------------------------


def ods_dataset(resource, title):
    """The resource's own export(), with booleans in words and blanks for unknown values."""
    exported = resource.export()
    types, yes_no = resource.column_types(), yes_no_words()
    dataset = tablib.Dataset(headers=[str(header) for header in exported.headers], title=str(title))
    for row in exported:
        dataset.append(
            [
                "" if value is None else yes_no(value) if kind == "bool" else value
                for value, kind in zip(row, types, strict=True)
            ]
        )
    return dataset


def write_ods(out, agreement, period, *, participants=False, report=None, progress=None):
    summary = tablib.Dataset(title=str(SUMMARY_SHEET))
    count, anonymity, participant_resource = None, None, None
    if participants:
        count = participant_count(agreement, period)
        participant_resource = ParticipantResource(agreement, period, progress=progress)
        anonymity = participant_resource.anonymity
    for label, value in summary_lines(agreement, period, count, anonymity):
        if value is not None:
            summary.append([str(label), value])
    report_resource = ReportResource(agreement, period, report=report)
    book = tablib.Databook([summary, ods_dataset(report_resource, _("Indicateurs"))])
    if participants:
        book.add_sheet(ods_dataset(participant_resource, PARTICIPANTS_SHEET))
    out.write(book.export("ods"))


# --- Entry points ---------------------------------------------------------------------------------


def stream(kind, agreement, period, file_format):
    """Bytes chunks of a CSV or JSON participants file."""
    table = participant_table(agreement, period)
    return csv_chunks(table) if file_format == "csv" else json_chunks(table)


def write(kind, agreement, period, file_format, out, *, progress=None):
    """Write a whole file to the binary file object `out`."""
    if kind == REPORT:
        table, resource = report_table(agreement, period)
        if file_format == "csv":
            out.writelines(csv_chunks(table))
        elif file_format == "json":
            out.write(report_json(agreement, period, table))
        elif file_format == "xlsx":
            write_xlsx(out, agreement, period, report=resource.report)
        else:
            write_ods(out, agreement, period, report=resource.report)
        return
    if file_format == "ods":
        write_ods(out, agreement, period, participants=True, progress=progress)
        return
    table = participant_table(agreement, period, progress)
    if file_format == "xlsx":
        write_xlsx(out, agreement, period, participants=table)
    else:
        out.writelines(csv_chunks(table) if file_format == "csv" else json_chunks(table))


def runs_in_background(kind, agreement, period):
    """Participant files above the synchronous limit; reports are always small."""
    return kind == PARTICIPANTS and participant_count(agreement, period) > settings.EXPORT_SYNC_MAX_ROWS
