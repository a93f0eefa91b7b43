"""Funders' downloads, the participant file format by format: CSV, XLSX, ODS and JSON read back and compared.

These read the format with k = 1 (each row shown as it is, but by the month); test_exports_anonymity.py tests k = 5.
"""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.http import StreamingHttpResponse

from financeurs.indicators import Period
from financeurs.participant_file import ParticipantResource
from inscriptions.enums import FollowUpMilestone
from inscriptions.models import Attendance
from tests.financeurs.downloads import (
    FORMATS,
    FREE_TEXT_HEADERS,
    NAMED_PARTICIPANT_HEADERS,
    PARTICIPANT_HEADERS,
    awa_pseudonym,
    body,
    csv_note,
    download,
    month,
    normalised,
    pseudonym_of,
    read_csv,
    read_json,
    row_of,
    url,
)
from tests.financeurs.factories import days_ago

pytestmark = pytest.mark.usefixtures("one_person_classes")


def test_csv_participant_file_reads_back_in_french_excel_conventions(client, agreement, funder_a, people):
    client.force_login(funder_a)
    response = client.get(url("export_participants", agreement, "csv"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    start, end = agreement.start_date, agreement.end_date
    assert response["Content-Disposition"] == (
        f'attachment; filename="participants-REG-IDF-2026-014-{start:%Y-%m-%d}-{end:%Y-%m-%d}.csv"'
    )

    content = body(response)
    headers, *rows = read_csv(content)

    assert csv_note(content).startswith("# Anonymisation k = 1 :")
    assert headers == PARTICIPANT_HEADERS
    assert len(rows) == 3
    awa = row_of(rows, headers, awa_pseudonym(agreement, people))
    session = people["awa"].session
    assert awa == {
        "Pseudonyme": awa_pseudonym(agreement, people),
        "Tranche d’âge": "18-25 ans",
        "Genre": "Femme",
        "Résident·e QPV": "Oui",
        "Diplôme": "Aucun diplôme",
        "Situation à l’entrée": "Je cherche un emploi et je suis inscrit·e à France Travail",
        "Durée de recherche d’emploi": "",
        "Orienté·e par": "Une Mission Locale",
        "Campus": "Campus des Courtillières",
        "Formation": "Technicien·ne d’assistance informatique",
        "Début de session": month(session.start_date),
        "Fin de session": month(session.end_date),
        "Statut": "Certifié·e",
        "Date de sortie": month(days_ago(200)),
        "Heures suivies": "0",
        "Situation à la sortie": "CDI",
        "Sortie positive à la sortie": "Oui",
        "Situation à 6 mois": "CDD de moins de 6 mois",
        "Sortie positive à 6 mois": "Non",
        "Situation à 12 mois": "",
        "Sortie positive à 12 mois": "",
        "Certifié·e": "Oui",
    }
    bilal = row_of(rows, headers, pseudonym_of(agreement, people["bilal"]))
    assert bilal["Statut"] == "Abandon en cours de formation"
    assert bilal["Situation à la sortie"] == bilal["Sortie positive à la sortie"] == ""
    assert bilal["Certifié·e"] == "Non"


def test_xlsx_participant_file_has_a_summary_sheet_then_typed_cells(client, agreement, funder_a, people):
    agreement.requires_named_data = True  # Awa consented: her row carries the latest follow-up's free text
    agreement.save()
    content = download(client, funder_a, agreement, "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content))

    assert workbook.sheetnames == ["Synthèse", "Participant·es"]
    summary = {row[0]: row[1:] for row in workbook["Synthèse"].iter_rows(values_only=True) if row[0]}
    assert summary["Convention"][0] == f"REG/IDF 2026-014 – {agreement.title}"
    assert summary["Financeur"][0] == "Région Île-de-France"
    assert summary["Début de la période"][0].date() == agreement.start_date
    assert summary["Fin de la période"][0].date() == agreement.end_date
    assert summary["Participant·es"][0] == 3
    assert isinstance(summary["Généré le"][0], datetime.datetime)
    assert summary["Anonymisation"][0] == "k = 1"
    assert summary["Généralisations appliquées"][0] == "aucune"
    assert summary["Lignes aux caractéristiques non diffusées"][0] == 0
    assert summary["Lignes retirées du fichier"][0] == 0
    assert summary["candidats"][:2] == ("Candidat·es", 3)
    assert summary["part_femmes"][7] == 30  # the target, a number
    # One woman of the two who entered training: 50 % against 30 %, but two people are too few to conclude.
    assert summary["part_femmes"][8] is None
    assert summary["part_femmes"][-1] == "Trop peu de personnes pour conclure."

    sheet = workbook["Participant·es"]
    assert sheet.freeze_panes == "A2"
    header = next(sheet.iter_rows(max_row=1))
    assert [cell.value for cell in header] == NAMED_PARTICIPANT_HEADERS
    assert all(cell.font.bold for cell in header)
    assert sheet.column_dimensions["A"].width > 0
    rows = list(sheet.iter_rows(min_row=2))
    index = {name: position for position, name in enumerate(NAMED_PARTICIPANT_HEADERS)}
    awa = next(row for row in rows if row[0].value == awa_pseudonym(agreement, people))
    birth_date = awa[index["Date de naissance"]]
    assert birth_date.is_date and birth_date.number_format == "dd/mm/yyyy"
    assert awa[index["Début de session"]].value == month(people["awa"].session.start_date)
    assert "RQTH" not in index  # health data serves the figures only, never a row
    assert awa[index["Situation à 12 mois"]].value is None
    job_title = awa[index["Poste ou formation (dernier suivi)"]]
    assert job_title.data_type == "s" and job_title.value.startswith("'=HYPERLINK")
    assert awa[index["Employeur ou organisme (dernier suivi)"]].value == "'+33 6 12 34 56 78"


def test_ods_participant_file_reads_back_with_its_sheets(client, agreement, funder_a, people):
    agreement.requires_named_data = True
    agreement.save()
    content = download(client, funder_a, agreement, "ods")
    book = tablib.Databook()
    book.load(content, "ods")
    summary, indicators, participants = book.sheets()

    assert summary.title == "Synthèse" and participants.title == "Participant·es"
    assert ["Financeur", "Région Île-de-France"] in [list(row) for row in summary]
    assert ["Anonymisation", "k = 1"] in [list(row) for row in summary]
    assert indicators.headers[:3] == ["Code", "Indicateur", "Valeur"]
    assert participants.headers == NAMED_PARTICIPANT_HEADERS
    awa = next(row for row in participants.dict if row["Pseudonyme"] == awa_pseudonym(agreement, people))
    assert awa["Début de session"] == month(people["awa"].session.start_date)
    assert "RQTH" not in participants.headers
    assert awa["Poste ou formation (dernier suivi)"].startswith("'=HYPERLINK")
    assert awa["Employeur ou organisme (dernier suivi)"] == "'+33 6 12 34 56 78"


def test_json_participant_file_keeps_types(client, agreement, funder_a, people):
    document = json.loads(download(client, funder_a, agreement, "json"))

    assert document["anonymisation"] == {
        "k": 1,
        "generalisations": [],
        "lignes_aux_caracteristiques_non_diffusees": 0,
        "lignes_retirees": 0,
    }
    rows = document["participants"]
    assert len(rows) == 3
    awa = next(row for row in rows if row["Pseudonyme"] == awa_pseudonym(agreement, people))
    assert list(awa) == PARTICIPANT_HEADERS
    assert awa["Début de session"] == month(people["awa"].session.start_date)
    assert "RQTH" not in awa
    assert awa["Sortie positive à 6 mois"] is False
    assert awa["Situation à 12 mois"] is None
    assert awa["Sortie positive à 12 mois"] is None


@pytest.mark.parametrize("file_format", FORMATS)
def test_every_format_holds_what_the_resource_exports(client, agreement, funder_a, people, file_format):
    resource = ParticipantResource(agreement, Period.of_agreement(agreement))
    exported = resource.export()
    assert exported.headers == PARTICIPANT_HEADERS
    assert [tuple(row) for row in exported] == list(resource.rows())

    content = download(client, funder_a, agreement, file_format)

    if file_format == "json":
        read = [list(row.values()) for row in read_json(content)]
    elif file_format == "csv":
        read = read_csv(content)[1:]  # without the opening note and the headers
    elif file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Participant·es"]
        read = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    else:
        book = tablib.Databook()
        book.load(content, "ods")
        read = [list(row) for row in book.sheets()[2]]
    assert len(read) == len(exported)
    for expected, got in zip(exported, read, strict=True):
        assert [as_written(value, file_format) for value in expected] == [normalised(value) for value in got]


def as_written(value, file_format):
    """How a typed value of the resource reads back from each format."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value if file_format == "json" else ("Oui" if value else "Non")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y") if file_format == "csv" else value.isoformat()
    if isinstance(value, Decimal) and file_format == "csv":
        return str(value).replace(".", ",")
    return value


def test_xlsx_drops_characters_a_spreadsheet_cannot_hold(client, agreement, funder_a, people):
    agreement.requires_named_data = True
    agreement.save()
    follow_up = people["awa"].follow_ups.get(milestone=FollowUpMilestone.SIX_MONTHS)
    follow_up.job_title = "Agent\x07 d’accueil & <standard>"
    follow_up.save()

    sheet = openpyxl.load_workbook(io.BytesIO(download(client, funder_a, agreement, "xlsx")))["Participant·es"]

    column = NAMED_PARTICIPANT_HEADERS.index(FREE_TEXT_HEADERS[1])
    titles = {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Agent d’accueil & <standard>" in titles


def test_the_file_gives_the_hours_attended_of_whoever_entered_training(client, agreement, funder_a, people):
    awa = people["awa"]
    for day, part, status in [(1, "matin", "present"), (1, "apres_midi", "present"), (2, "matin", "absent")]:
        Attendance.objects.create(
            application=awa,
            day=awa.session.start_date + datetime.timedelta(days=day),
            part=part,
            status=status,
            hours=Decimal("3.50"),
        )
    client.force_login(funder_a)

    headers, *rows = read_csv(body(client.get(url("export_participants", agreement, "csv"))))

    assert row_of(rows, headers, awa_pseudonym(agreement, people))["Heures suivies"] == "7,00"
    assert row_of(rows, headers, pseudonym_of(agreement, people["bilal"]))["Heures suivies"] == "0"
    assert row_of(rows, headers, pseudonym_of(agreement, people["chloe"]))["Heures suivies"] == ""
