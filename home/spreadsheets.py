"""Reading the files people send: CSV (from Excel or not) and XLSX, into numbered rows. One CSV reader for
the reference data commands and for the staff imports."""

import codecs
import csv
import io
import re
from dataclasses import dataclass

from django.core.management import CommandError
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
HEADER_SNIFF_LINES = 10


class FileRejected(Exception):
    """The whole file is unusable (wrong format, missing columns, empty): nothing can be checked line by line."""


class UndecodableFile(FileRejected):
    """Neither UTF-8, UTF-16 nor Windows-1252."""


# Bytes that are printable characters in Windows-1252 (€ ’ œ …) but control codes in ISO-8859-15: text never has them.
CP1252_ONLY = re.compile(rb"[\x80-\x9f]")
# Where ISO-8859-15 differs from Windows-1252 in the printable range: € (¤), and Œ œ (¼ ½) inside a word. Nobody types
# ¤ on purpose, and ¼ or ½ sit beside digits or spaces, not between letters.
LATIN9_SIGNS = re.compile(rb"\xa4|[A-Za-z\xc0-\xff][\xbc\xbd]|[\xbc\xbd][A-Za-z\xc0-\xff]")


def read_bytes(path):
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(
            _("Impossible de lire %(path)s : %(error)s") % {"path": path, "error": error.strerror}
        ) from error


def sniff_encoding(data):
    """The encoding of a text file's bytes: UTF-8 (with or without BOM), UTF-16 (Excel's « Texte Unicode »), else
    Windows-1252 (what Excel writes on a French Windows) or ISO-8859-15 (older Unix tools).

    The two single-byte encodings share every accented letter; they differ where French needs € and œ. A file
    with a byte in 0x80–0x9F is Windows-1252 (those are control codes in ISO-8859-15); without any, a 0xA4 or a
    0xBC/0xBD inside a word is read as ISO-8859-15 (« € », « cœur ») rather than as « ¤ » or « c¼ur ».
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4096]
    # UTF-16 without BOM: Latin text has a NUL on every other byte, on the same side.
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and not head[0::2].count(0):
        return "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and not head[1::2].count(0):
        return "utf-16-be"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        if not CP1252_ONLY.search(data) and LATIN9_SIGNS.search(data):
            return "iso-8859-15"
        return "cp1252"
    return "utf-8"


def decode_spreadsheet_text(data):
    """The text of a CSV file's bytes, in the encoding `sniff_encoding` finds; UnicodeDecodeError if it fails."""
    return data.decode(sniff_encoding(data))


def check_no_nul(data, encoding):
    """A NUL byte is not text: no spreadsheet writes one in a CSV. Say where the first one is."""
    if encoding.startswith("utf-16"):
        text = data.decode(encoding, errors="replace")
        index = text.find("\x00")
        line = text.count("\n", 0, index) + 1
    else:
        index = data.find(b"\x00")
        line = data.count(b"\n", 0, index) + 1
    if index != -1:
        raise FileRejected(
            _(
                "Ligne %(line)d : le fichier contient un caractère nul (octet 0), qu'un tableur n'écrit jamais dans "
                "un CSV. Ce n'est peut-être pas un fichier CSV ; sinon, enregistrez-le à nouveau depuis le tableur "
                "(« CSV UTF-8 »)."
            )
            % {"line": line}
        )


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
    """[(line, [cells])] of a CSV file's bytes, numbered as in a spreadsheet (the header is line 1)."""
    return list(csv_lines(data))


def csv_lines(data):
    """(line, [cells]) of a CSV file's bytes, one after the other, numbered as in a spreadsheet.

    UTF-8 with or without BOM, UTF-16, Windows-1252 or ISO-8859-15 (see `sniff_encoding`), `;` or `,` as the
    header says, Excel's `sep=` hint line skipped. Raises FileRejected before yielding anything if the file cannot
    be text.
    """
    encoding = sniff_encoding(data)
    check_no_nul(data, encoding)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UndecodableFile(_("Ce fichier n'est ni en UTF-8 ni en Windows-1252 : est-ce bien un CSV ?")) from error
    return _split_csv(text)


def _split_csv(text):
    header_line = text.lstrip("\r\n").partition("\n")[0]
    # The first lines decide (a title may sit above the header): Excel in French writes `;`, most other tools `,`,
    # Excel's « Texte Unicode » (UTF-16) a tab. A tie goes to `,`.
    head = text[:16384].split("\n")[:HEADER_SNIFF_LINES]
    delimiter = max(DELIMITERS, key=lambda candidate: sum(line.count(candidate) for line in head))
    if header_line.lower().startswith("sep=") and len(header_line.strip()) == 5:
        # Excel's own hint line, which Excel hides: the header stays line 1.
        delimiter = header_line.strip()[4]
        text = text.lstrip("\r\n").partition("\n")[2]
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        yield from enumerate(reader, start=1)
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
