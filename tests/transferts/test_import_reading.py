"""Reading what people really send: CSV from Excel in any of its encodings and separators, XLSX, French values."""

import datetime
import decimal
import io

import openpyxl
import pytest

from home.spreadsheets import FileRejected, read_table
from inscriptions.enums import Placement
from transferts.parsers import InvalidValue, choice, decimal_number, normalise, parse_bool, parse_date, parse_past_date

ROWS = [["Nom", "Prénom", "Orienté·e le"], ["Éloïse", "Bénédicte", "31/01/2026"], ["Ça", "Noël", "01/02/2026"]]


def csv_bytes(rows, *, delimiter=";", encoding="utf-8"):
    return "\r\n".join(delimiter.join(row) for row in rows).encode(encoding) + b"\r\n"


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ";"), ("utf-8", ","), ("utf-8-sig", ";"), ("utf-8-sig", ","), ("cp1252", ";"), ("cp1252", ",")],
)
def test_csv_is_read_whatever_its_encoding_and_separator(encoding, delimiter):
    table = read_table(csv_bytes(ROWS, delimiter=delimiter, encoding=encoding), "liste.csv")

    assert table.header == ["Nom", "Prénom", "Orienté·e le"]
    assert table.rows == [(2, ["Éloïse", "Bénédicte", "31/01/2026"]), (3, ["Ça", "Noël", "01/02/2026"])]


def test_blank_lines_are_skipped_and_lines_keep_their_spreadsheet_number():
    data = csv_bytes([ROWS[0], ROWS[1], ["", "", ""], ROWS[2]])

    assert [line for line, _values in read_table(data).rows] == [2, 4]


def test_xlsx_first_sheet_is_read_with_typed_cells():
    data = xlsx_bytes([["Nom", "Montant", "Début"], ["Région", 1234.5, datetime.datetime(2026, 1, 31)]])

    table = read_table(data, "conventions.xlsx")

    assert table.header == ["Nom", "Montant", "Début"]
    assert table.rows == [(2, ["Région", 1234.5, datetime.datetime(2026, 1, 31)])]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "vide.csv", "Le fichier est vide."),
        (b"\r\n\r\n", "vide.csv", "Le fichier est vide."),
        (b"Nom;Pr\xc3\xa9nom\r\n", "entete.csv", "Le fichier n'a pas de ligne après celle des en-têtes."),
        (bytes(range(256)) * 4, "bizarre.csv", "Ligne 1 : le fichier contient un caractère nul (octet 0)"),
        (b"Nom;Prenom\r\nA;B\r\n", "faux.xlsx", "Ce fichier n'est pas un classeur XLSX lisible."),
        (b"PK\x03\x04" + b"\x01" * 200, "abime.xlsx", "Ce fichier n'est pas un classeur XLSX lisible."),
    ],
)
def test_unusable_files_are_rejected_with_a_clear_message(data, filename, message):
    with pytest.raises(FileRejected) as error:
        read_table(data, filename)

    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    "header",
    ["n° de candidature", "N° de candidature", "No de candidature", "  nº DE Candidature ", "n°de candidature"],
)
def test_headers_match_whatever_the_case_accents_and_spelling_of_numero(header):
    assert normalise(header) == normalise("n° de candidature") == "no de candidature"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/01/2026", datetime.date(2026, 1, 31)),
        ("1/2/2026", datetime.date(2026, 2, 1)),
        ("2026-01-31", datetime.date(2026, 1, 31)),
        ("31/01/2026 00:00", datetime.date(2026, 1, 31)),
        (datetime.datetime(2026, 1, 31, 0, 0), datetime.date(2026, 1, 31)),
        (datetime.date(2026, 1, 31), datetime.date(2026, 1, 31)),
    ],
)
def test_dates_are_read_as_typed_in_france_or_as_date_cells(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2026", "2026/31/01", "demain", "31/01/26"])
def test_impossible_dates_are_refused(value):
    with pytest.raises(InvalidValue) as error:
        parse_date(value)

    assert str(error.value) == f"« {value} » n'est pas une date (jj/mm/aaaa)."


def test_a_date_in_the_future_is_refused_where_the_past_is_expected():
    with pytest.raises(InvalidValue, match="est une date dans le futur"):
        parse_past_date(datetime.date.today() + datetime.timedelta(days=2))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1\u202f234,5 €", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1234.5", "1234.50"),
        ("30 %", "30.00"),
        (12.5, "12.50"),
        (40, "40.00"),
        ("9 999 999 999,99", "9999999999.99"),
    ],
)
def test_decimals_accept_french_commas_spaces_and_units(value, expected):
    assert decimal_number()(value) == decimal.Decimal(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("douze", "« douze » n'est pas un nombre."),
        ("12,345", "« 12,345 » a plus de 2 chiffres après la virgule."),
        ("-5", "« -5 » est négatif."),
        ("1e400", "« 1e400 » est trop grand."),
        ("10 000 000 000", "« 10 000 000 000 » est trop grand."),
    ],
)
def test_bad_decimals_are_refused(value, message):
    with pytest.raises(InvalidValue) as error:
        decimal_number()(value)

    assert str(error.value) == message


@pytest.mark.parametrize(("value", "expected"), [("oui", True), ("OUI", True), ("Non", False), ("x", True)])
def test_yes_no(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize(
    "value", ["cdi", "CDI", "Cdd de 6 mois ou plus", "creation d'entreprise", "Création d’entreprise"]
)
def test_choices_match_labels_or_codes_without_case_or_accents(value):
    assert choice(Placement)(value) in Placement.values


def test_unknown_choice_lists_the_possible_values():
    with pytest.raises(InvalidValue) as error:
        choice(Placement)("Chômage")

    assert str(error.value).startswith("« Chômage » n'est pas une valeur possible (« CDI », « CDD de 6 mois ou plus »")


def test_excel_separator_hint_line_is_skipped():
    data = b"sep=;\r\n" + csv_bytes(ROWS)

    table = read_table(data)

    assert table.header == ["Nom", "Prénom", "Orienté·e le"]
    assert [line for line, _values in table.rows] == [2, 3]
