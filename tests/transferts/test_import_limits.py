"""Files as they really come, and files made to hurt: each read by the worker within its limits, or refused with a
message that says what and where."""

import io
import zipfile

import openpyxl
import pytest

from home.spreadsheets import FileRejected, sniff_encoding
from inscriptions.imports import FollowUpImport
from tests.transferts.test_import_reading import csv_bytes, xlsx_bytes
from transferts.reading import LimitExceeded, Limits, read_import_file

HEADER = ["n° de candidature", "moment", "situation", "employeur ou organisme"]
ROW = ["12", "sortie", "CDI", "Œuvre € cœur"]


def read(data, filename="suivis.csv", **limits):
    given = Limits(
        rows=limits.get("rows", 1000),
        columns=limits.get("columns", 20),
        cell_chars=limits.get("cell_chars", 100),
        upload_bytes=limits.get("upload_bytes", 20 * 1024 * 1024),
        uncompressed_bytes=limits.get("uncompressed_bytes", 50 * 1024 * 1024),
        compression_ratio=limits.get("compression_ratio", 100),
        seconds=limits.get("seconds", 60),
    )
    return read_import_file(io.BytesIO(data), filename, find_header=FollowUpImport.header_matches, limits=given)


def workbook_bytes(sheets):
    """An XLSX file with one sheet per (title, rows)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read_with_or_without_their_bom(encoding):
    # What Excel's « Texte Unicode » writes: UTF-16, tabs.
    data = "".join("\t".join(row) + "\r\n" for row in [HEADER, ROW]).encode(encoding)

    table = read(data)

    assert table.header == HEADER
    assert table.rows == [(2, ROW)]


def test_a_stray_nul_byte_is_named_with_its_line():
    data = csv_bytes([HEADER, ROW, ["13", "sortie", "CDI", "Orange"]]).replace(b"Orange", b"Ora\x00nge")

    with pytest.raises(FileRejected) as error:
        read(data)

    assert str(error.value).startswith("Ligne 3 : le fichier contient un caractère nul (octet 0)")


def test_an_iso_8859_15_file_keeps_its_euro_and_its_oe():
    data = csv_bytes([HEADER, ROW], encoding="iso-8859-15")

    assert sniff_encoding(data) == "iso-8859-15"
    assert read(data).rows == [(2, ROW)]


def test_a_windows_1252_file_keeps_its_euro_and_its_oe():
    data = csv_bytes([HEADER, ROW], encoding="cp1252")

    assert sniff_encoding(data) == "cp1252"
    assert read(data).rows == [(2, ROW)]


def test_a_windows_1252_file_with_a_quarter_between_spaces_stays_windows_1252():
    row = ["12", "sortie", "CDI", "Orange ¼ temps, Noël"]

    assert read(csv_bytes([HEADER, row], encoding="cp1252")).rows == [(2, row)]


def test_a_header_below_a_title_is_found_and_its_line_kept():
    data = csv_bytes([["Suivis de sortie – promotion 2025"], [""], HEADER, ROW])

    table = read(data)

    assert (table.header, table.header_line) == (HEADER, 3)
    assert table.rows == [(4, ROW)]


def test_the_first_sheet_with_the_header_is_read():
    data = workbook_bytes([("Notes", [["Lisez-moi"], ["Fichier du 3 mars"]]), ("Données", [HEADER, ROW])])

    table = read(data, "suivis.xlsx")

    assert (table.sheet, table.sheets, table.header_line) == ("Données", ["Notes", "Données"], 1)
    assert table.rows == [(2, ROW)]


def test_without_the_header_anywhere_the_first_sheet_is_read_and_every_sheet_named():
    data = workbook_bytes([("Notes", [["Lisez-moi"], ["1"]]), ("Autre", [["Nom"], ["2"]])])

    table = read(data, "suivis.xlsx")
    with pytest.raises(FileRejected) as error:
        FollowUpImport().locate_columns(table.header, table)

    assert table.sheet == "Notes"
    assert str(error.value) == (
        "Colonnes manquantes : « n° de candidature », « moment », « situation ». "
        "L'en-tête a été cherché dans les 10 premières lignes non vides. "
        "Aucune des feuilles du classeur ne l'a (« Notes », « Autre »)."
    )


def test_more_rows_than_allowed_are_refused_without_reading_the_rest():
    data = csv_bytes([HEADER, *([str(n), "sortie", "CDI", "Orange"] for n in range(6))])

    assert len(read(data, rows=6).rows) == 6
    with pytest.raises(LimitExceeded, match="Le fichier dépasse 5 lignes"):
        read(data, rows=5)


def test_an_xlsx_with_too_many_rows_is_refused():
    data = xlsx_bytes([HEADER, *([n, "sortie", "CDI", "Orange"] for n in range(6))])

    with pytest.raises(LimitExceeded, match="Le fichier dépasse 5 lignes"):
        read(data, "suivis.xlsx", rows=5)


def test_a_line_wider_than_allowed_is_named():
    data = csv_bytes([HEADER, ROW, [*ROW, *("x" for _ in range(30))]])

    with pytest.raises(LimitExceeded) as error:
        read(data, columns=20)

    assert str(error.value) == "Ligne 3 : 34 colonnes, 20 au plus."


def test_an_overlong_cell_is_named_with_its_line_and_column():
    data = xlsx_bytes([HEADER, ["12", "sortie", "CDI", "O" * 101]])

    with pytest.raises(LimitExceeded) as error:
        read(data, "suivis.xlsx", cell_chars=100)

    assert str(error.value) == (
        "Ligne 2, colonne « employeur ou organisme » : la cellule fait 101 caractères, 100 au plus."
    )


def with_member(data, name, size):
    """`data`, a workbook, with one more member of `size` zero bytes: what a zip bomb is made of."""
    buffer = io.BytesIO(data)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=True) as member,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def test_a_workbook_that_would_weigh_too_much_uncompressed_is_refused_before_it_is_opened():
    data = with_member(xlsx_bytes([HEADER, ROW]), "xl/media/bombe.bin", 8 * 1024 * 1024)

    with pytest.raises(LimitExceeded) as error:
        read(data, "suivis.xlsx", uncompressed_bytes=5 * 1024 * 1024, compression_ratio=100_000)

    assert str(error.value).startswith("Une fois décompressé, ce classeur ferait 8,0\xa0Mio ; 5,0\xa0Mio au plus.")


def test_a_workbook_compressed_beyond_reason_is_refused():
    data = with_member(xlsx_bytes([HEADER, ROW]), "xl/media/bombe.bin", 8 * 1024 * 1024)

    with pytest.raises(LimitExceeded, match="Ce classeur est anormalement compressé"):
        read(data, "suivis.xlsx")


def test_reading_stops_at_the_time_limit():
    data = csv_bytes([HEADER, *([str(n), "sortie", "CDI", "Orange"] for n in range(1500))])

    with pytest.raises(LimitExceeded, match="La lecture du fichier dépasse 0 secondes"):
        read(data, rows=10_000, seconds=0)


def test_a_file_heavier_than_the_upload_limit_is_refused():
    with pytest.raises(LimitExceeded, match="Le fichier pèse"):
        read(csv_bytes([HEADER, ROW]), upload_bytes=10)
