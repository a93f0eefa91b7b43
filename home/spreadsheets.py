"""Reading the files people send: CSV (from Excel or not) and XLSX, into numbered rows. One CSV reader for
the reference data commands and for the staff imports."""

import csv
import io
from dataclasses import dataclass

from django.core.management import CommandError
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"


class FileRejected(Exception):
    """The whole file is unusable (wrong format, missing columns, empty): nothing can be checked line by line."""


class UndecodableFile(FileRejected):
    """Neither UTF-8 nor Windows-1252."""


def read_bytes(path):
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(
            _("Impossible de lire %(path)s : %(error)s") % {"path": path, "error": error.strerror}
        ) from error


def decode_spreadsheet_text(data):
    """UTF-8 with or without BOM, else Windows-1252 (what Excel writes on a French Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


@dataclass
class Table:
    """A sheet read from a file: its header as written, and its non-blank rows numbered as in a spreadsheet."""

    header: list
    rows: list  # [(line, [cell values])]


def read_table(data, filename=""):
    """Read the first sheet of an XLSX file or a CSV file from uploaded bytes."""
    if not data or not data.strip():
        raise FileRejected(_("Le fichier est vide."))
    if data.startswith(XLSX_MAGIC):
        return read_xlsx(data)
    if filename.lower().endswith(".xlsx"):
        raise FileRejected(_("Ce fichier n'est pas un classeur XLSX lisible. Enregistrez-le à nouveau depuis Excel."))
    return table_from(read_csv(data))


def read_csv(data):
    """[(line, [cells])] of a CSV file's bytes, numbered as in a spreadsheet (the header is line 1).

    UTF-8 with or without BOM or Windows-1252, `;` or `,` as the header says, Excel's `sep=` hint line skipped.
    """
    if b"\x00" in data:
        raise FileRejected(_("Ce fichier n'est pas un fichier CSV ni un classeur XLSX."))
    try:
        text = decode_spreadsheet_text(data)
    except UnicodeDecodeError as error:
        raise UndecodableFile(_("Ce fichier n'est ni en UTF-8 ni en Windows-1252 : est-ce bien un CSV ?")) from error
    header_line = text.lstrip("\r\n").partition("\n")[0]
    # The header decides: Excel in French writes `;`, most other tools `,`.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    if header_line.lower().startswith("sep=") and len(header_line.strip()) == 5:
        # Excel's own hint line, which Excel hides: the header stays line 1.
        delimiter = header_line.strip()[4]
        text = text.lstrip("\r\n").partition("\n")[2]
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(number, values) for number, values in enumerate(reader, start=1)]
    except csv.Error as error:
        raise FileRejected(_("Ce fichier CSV est mal formé : %(error)s.") % {"error": error}) from error


def read_xlsx(data):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of errors on a damaged file
        raise FileRejected(
            _("Ce fichier n'est pas un classeur XLSX lisible. Enregistrez-le à nouveau depuis Excel.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        lines = [(number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
    return table_from(lines)


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def table_from(lines):
    lines = [(number, values) for number, values in lines if not all(is_blank(value) for value in values)]
    if not lines:
        raise FileRejected(_("Le fichier est vide."))
    (_number, header), rows = lines[0], lines[1:]
    header = ["" if value is None else str(value).strip() for value in header]
    if not rows:
        raise FileRejected(_("Le fichier n'a pas de ligne après celle des en-têtes."))
    return Table(header=header, rows=rows)
