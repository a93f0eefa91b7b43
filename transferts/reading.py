"""Reading an import file in the background worker, within limits: rows, columns, cell size, uncompressed size of
a workbook, time. What a file may hold is bounded before it is read, and checked as it is read, so that no file
can hold a worker for long nor fill its memory.

CSV files are decoded by home.spreadsheets (UTF-8, UTF-16, Windows-1252, ISO-8859-15); XLSX workbooks are
streamed row by row with openpyxl's read-only mode, after their zip directory is checked. The header is looked
for in the first lines (a title above it is common), and in a workbook on the first sheet that has it. Jobs and
import_fichier read a streamed table: its rows come as the import checks them (transferts/importers.py).
"""

import io
import itertools
import time
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from home.spreadsheets import XLSX_MAGIC, FileRejected, Table, csv_lines, is_blank

# Lines read, from the top of the file or sheet, to find the header: titles and notes above it are common.
HEADER_SEARCH_LINES = 10
# The clock is read, and the heartbeat given, every this many lines.
CHECK_EVERY = 1000
# Rows of a streamed table kept once read: the preview shows them.
KEPT_ROWS = 10


def unreadable_workbook():
    return FileRejected(_("Ce fichier n'est pas un classeur XLSX lisible. Enregistrez-le à nouveau depuis Excel."))


@dataclass(frozen=True)
class Limits:
    """What one import file may hold; each is a setting (config/settings/base.py)."""

    rows: int
    columns: int
    cell_chars: int
    upload_bytes: int
    uncompressed_bytes: int
    compression_ratio: int
    seconds: float

    @classmethod
    def from_settings(cls):
        return cls(
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            upload_bytes=settings.IMPORT_MAX_UPLOAD_SIZE,
            uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_SIZE,
            compression_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            seconds=settings.IMPORT_MAX_SECONDS,
        )


class LimitExceeded(FileRejected):
    """The file is over one of the limits: nothing more of it is read."""


@dataclass
class ImportTable(Table):
    """A table read for an import: where its header was found, and in which sheet of how many."""

    header_line: int = 1
    sheet: str = ""
    sheets: list = field(default_factory=list)


def check_size(size, limits):
    if size > limits.upload_bytes:
        raise LimitExceeded(
            _("Le fichier pèse %(size)s ; %(max)s au plus.")
            % {"size": filesizeformat(size), "max": filesizeformat(limits.upload_bytes)}
        )


def check_workbook(file, limits):
    """The zip-bomb guard: what the workbook would weigh once uncompressed, read from its zip directory only.

    zipfile never inflates a member past the size its directory declares, so the declared sizes bound what
    openpyxl will hold.
    """
    file.seek(0, 2)
    packed = file.tell()
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise unreadable_workbook() from error
    finally:
        file.seek(0)
    if unpacked > limits.uncompressed_bytes:
        raise LimitExceeded(
            _(
                "Une fois décompressé, ce classeur ferait %(size)s ; %(max)s au plus. Gardez seulement la feuille "
                "à importer, ou découpez-la en plusieurs fichiers."
            )
            % {"size": filesizeformat(unpacked), "max": filesizeformat(limits.uncompressed_bytes)}
        )
    if unpacked > limits.compression_ratio * max(packed, 1):
        raise LimitExceeded(
            _(
                "Ce classeur est anormalement compressé (%(ratio)d fois, %(max)d au plus) : il ne vient sans doute "
                "pas d'un tableur. Enregistrez-le à nouveau depuis Excel."
            )
            % {"ratio": unpacked // max(packed, 1), "max": limits.compression_ratio}
        )


def read_import_file(file, filename="", *, find_header=None, limits=None, beat=None, stream=False):
    """The ImportTable of an uploaded file (an open binary file), checked against `limits` as it is read.

    `find_header(values)` says whether a line is the header the import expects; `beat()` is called every
    CHECK_EVERY lines, so that the job shows it is alive. With `stream`, the header is read at once and the rows
    as the table is iterated (`StreamedRows`, once): the file's cells are never all in memory. Its bytes are, but
    they are bounded by IMPORT_MAX_UPLOAD_SIZE.
    """
    limits = limits or Limits.from_settings()
    reader = TableReader(limits, find_header, beat)
    file.seek(0, 2)
    check_size(file.tell(), limits)
    file.seek(0)
    data = file.read()
    if data.startswith(XLSX_MAGIC):
        table = reader.read_workbook(io.BytesIO(data))
    elif filename.lower().endswith(".xlsx"):
        raise unreadable_workbook()
    elif not data.strip():
        raise FileRejected(_("Le fichier est vide."))
    else:
        table = reader.table(csv_lines(data))
    if not stream:
        table.rows = list(table.rows)
    return table


class StreamedRows:
    """The rows of a table, read from the file as they are iterated, once; the first ones are kept for the
    preview. len() is the number of rows read so far: all of them once iterated."""

    def __init__(self, rows):
        self.rows, self.count, self.head = rows, 0, []

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            if len(self.head) < KEPT_ROWS:
                self.head.append(row)
            yield row

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        return self.head[index]


class TableReader:
    def __init__(self, limits, find_header, beat):
        self.limits, self.find_header = limits, find_header or (lambda values: True)
        self.beat = beat or (lambda: None)
        self.deadline = time.monotonic() + limits.seconds

    def read_workbook(self, file):
        import openpyxl

        check_workbook(file, self.limits)
        try:
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds of errors on a damaged file
            raise unreadable_workbook() from error
        try:
            sheets = workbook.worksheets
            names = [sheet.title for sheet in sheets]
            # The first sheet whose first lines hold the header; else the first sheet, whose header is then said
            # to be missing.
            chosen = next((sheet for sheet in sheets if self.has_header(self.sheet_lines(sheet))), sheets[0])
            return self.table(self.workbook_lines(workbook, chosen), sheet=chosen.title, sheets=names)
        except FileRejected:
            workbook.close()
            raise
        except Exception as error:  # a sheet damaged past its first lines
            workbook.close()
            raise unreadable_workbook() from error

    def workbook_lines(self, workbook, sheet):
        """The sheet's lines; the workbook is closed once they are all read."""
        try:
            yield from self.sheet_lines(sheet)
        except Exception as error:  # a sheet damaged further down
            raise unreadable_workbook() from error
        finally:
            workbook.close()

    @staticmethod
    def sheet_lines(sheet):
        if getattr(sheet, "reset_dimensions", None):
            # A declared size (some tools write A1:XFD1048576) would pad every row to it: read the cells as they are.
            sheet.reset_dimensions()
        return enumerate(sheet.iter_rows(values_only=True), start=1)

    def has_header(self, lines):
        for count, (_number, values) in enumerate(self.non_blank(lines), start=1):
            if self.find_header(values):
                return True
            if count >= HEADER_SEARCH_LINES:
                return False
        return False

    def non_blank(self, lines):
        for count, (number, values) in enumerate(lines, start=1):
            if count % CHECK_EVERY == 0:
                self.check_clock()
            if not all(is_blank(value) for value in values):
                yield number, values

    def check_clock(self):
        self.beat()
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                _(
                    "La lecture du fichier dépasse %(seconds)d secondes : découpez-le en plusieurs fichiers plus "
                    "petits."
                )
                % {"seconds": self.limits.seconds}
            )

    def table(self, lines, sheet="", sheets=()):
        lines = self.non_blank(lines)
        found, header_line, header = [], None, None
        for number, values in lines:
            found.append((number, self.checked(number, values)))
            if self.find_header(values):
                header_line, header = number, found.pop()[1]
                break
            if len(found) >= HEADER_SEARCH_LINES:
                break
        if not found and header is None:
            raise FileRejected(_("Le fichier est vide."))
        if header is None:
            # No line looks like the expected header: the first one is, and the import will say what it misses.
            (header_line, header), first_rows = found[0], found[1:]
        else:
            first_rows = []
        header = ["" if value is None else str(value).strip() for value in header]
        return ImportTable(
            header=header,
            rows=StreamedRows(self.rows(first_rows, lines, header)),
            header_line=header_line,
            sheet=sheet,
            sheets=list(sheets) if sheets else [],
        )

    def rows(self, first_rows, lines, header):
        count = 0
        for number, values in itertools.chain(first_rows, lines):
            count += 1
            if count > self.limits.rows:
                raise LimitExceeded(
                    _("Le fichier dépasse %(max)s lignes (hors en-tête) : découpez-le en plusieurs fichiers.")
                    % {"max": f"{self.limits.rows:,}".replace(",", "\u202f")}
                )
            yield number, self.checked(number, values, header)
        if not count:
            raise FileRejected(_("Le fichier n'a pas de ligne après celle des en-têtes."))

    def checked(self, number, values, header=()):
        """The line's cells as a list, trailing blanks dropped, once its width and every cell's length are
        within the limits."""
        values = list(values)
        while values and is_blank(values[-1]):
            values.pop()
        if len(values) > self.limits.columns:
            raise LimitExceeded(
                _("Ligne %(line)d : %(count)d colonnes, %(max)d au plus.")
                % {"line": number, "count": len(values), "max": self.limits.columns}
            )
        for index, value in enumerate(values):
            if value.__class__ is str and len(value) > self.limits.cell_chars:
                column = header[index] if index < len(header) and header[index] else get_column_letter(index + 1)
                message = _(
                    "Ligne %(line)d, colonne « %(column)s » : la cellule fait %(length)d caractères, %(max)d au plus."
                )
                raise LimitExceeded(
                    message % {"line": number, "column": column, "length": len(value), "max": self.limits.cell_chars}
                )
        return values
