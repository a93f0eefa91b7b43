"""Funders' downloads: the report and the participant file in CSV, XLSX, ODS and JSON, read back and compared."""

import base64
import csv
import datetime
import hashlib
import hmac
import io
import json
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from financeurs.indicators import Period, compute
from financeurs.resources import ParticipantResource, ReportResource, pseudonym
from inscriptions.enums import FollowUpMilestone
from tests.campus.factories import UserFactory
from tests.financeurs.conftest import BIRTH_DATE
from tests.financeurs.factories import AgreementFactory, FunderFactory, days_ago, funder_user
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory

FORMATS = ["csv", "xlsx", "ods", "json"]
PARTICIPANT_HEADERS = [
    "Pseudonyme",
    "Tranche d’âge",
    "Genre",
    "Résident·e QPV",
    "Diplôme",
    "Situation à l’entrée",
    "Durée de recherche d’emploi",
    "RQTH",
    "Orienté·e par",
    "Campus",
    "Formation",
    "Début de session",
    "Fin de session",
    "Statut",
    "Date de sortie",
    "Situation à la sortie",
    "Sortie positive à la sortie",
    "Situation à 6 mois",
    "Sortie positive à 6 mois",
    "Situation à 12 mois",
    "Sortie positive à 12 mois",
    "Employeur ou organisme (dernier suivi)",
    "Poste ou formation (dernier suivi)",
    "Certifié·e",
]
NAMED_HEADERS = ["Prénom", "Nom", "E-mail", "Date de naissance"]


def url(name, agreement, file_format, **query):
    address = reverse(f"financeurs:{name}", kwargs={"pk": agreement.pk, "file_format": file_format})
    if query:
        address += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return address


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def download(client, user, agreement, file_format, name="export_participants", **query):
    client.force_login(user)
    response = client.get(url(name, agreement, file_format, **query))
    assert response.status_code == 200, response
    return body(response)


def readable_bytes(content, file_format):
    """What a search of the file would see: the XML inside XLSX and ODS archives, the bytes otherwise."""
    if file_format in ("xlsx", "ods"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return content


def read_csv(content):
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def row_of(rows, headers, pseudonym_value):
    index = headers.index("Pseudonyme")
    return next(dict(zip(headers, row, strict=True)) for row in rows if row[index] == pseudonym_value)


def awa_pseudonym(agreement, people):
    return pseudonym(agreement.funder_id, people["awa"].learner_id)


# --- Participant file, format by format --------------------------------------------------------


def test_csv_participant_file_reads_back_in_french_excel_conventions(client, agreement, funder_a, people):
    client.force_login(funder_a)
    response = client.get(url("export_participants", agreement, "csv"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    start, end = agreement.start_date, agreement.end_date
    assert response["Content-Disposition"] == (
        f'attachment; filename="participants-REG-IDF-2026-014-{start:%Y-%m-%d}-{end:%Y-%m-%d}.csv"'
    )

    headers, *rows = read_csv(body(response))

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
        "RQTH": "Oui",
        "Orienté·e par": "Une Mission Locale",
        "Campus": "Campus des Courtillières",
        "Formation": "Technicien·ne d’assistance informatique",
        "Début de session": session.start_date.strftime("%d/%m/%Y"),
        "Fin de session": session.end_date.strftime("%d/%m/%Y"),
        "Statut": "Certifié·e",
        "Date de sortie": days_ago(200).strftime("%d/%m/%Y"),
        "Situation à la sortie": "CDI",
        "Sortie positive à la sortie": "Oui",
        "Situation à 6 mois": "CDD de moins de 6 mois",
        "Sortie positive à 6 mois": "Non",
        "Situation à 12 mois": "",
        "Sortie positive à 12 mois": "",
        "Employeur ou organisme (dernier suivi)": "'+33 6 12 34 56 78",
        "Poste ou formation (dernier suivi)": '\'=HYPERLINK("http://pirate.example","clic")',
        "Certifié·e": "Oui",
    }
    bilal = row_of(rows, headers, pseudonym(agreement.funder_id, people["bilal"].learner_id))
    assert bilal["Statut"] == "Abandon en cours de formation"
    assert bilal["Situation à la sortie"] == bilal["Sortie positive à la sortie"] == ""
    assert bilal["Certifié·e"] == "Non"


def test_xlsx_participant_file_has_a_summary_sheet_then_typed_cells(client, agreement, funder_a, people):
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
    assert summary["candidats"][:2] == ("Candidat·es", 3)
    assert summary["part_femmes"][5] == 30  # the target, a number
    assert summary["part_femmes"][6] == "Oui"  # one woman of the two who entered training: 50 % against 30 %

    sheet = workbook["Participant·es"]
    assert sheet.freeze_panes == "A2"
    header = next(sheet.iter_rows(max_row=1))
    assert [cell.value for cell in header] == PARTICIPANT_HEADERS
    assert all(cell.font.bold for cell in header)
    assert sheet.column_dimensions["A"].width > 0
    rows = list(sheet.iter_rows(min_row=2))
    index = {name: position for position, name in enumerate(PARTICIPANT_HEADERS)}
    awa = next(row for row in rows if row[0].value == awa_pseudonym(agreement, people))
    start = awa[index["Début de session"]]
    assert start.is_date and start.value.date() == people["awa"].session.start_date
    assert start.number_format == "dd/mm/yyyy"
    assert awa[index["RQTH"]].value == "Oui"
    assert awa[index["Situation à 12 mois"]].value is None
    job_title = awa[index["Poste ou formation (dernier suivi)"]]
    assert job_title.data_type == "s" and job_title.value.startswith("'=HYPERLINK")
    assert awa[index["Employeur ou organisme (dernier suivi)"]].value == "'+33 6 12 34 56 78"


def test_ods_participant_file_reads_back_with_its_sheets(client, agreement, funder_a, people):
    content = download(client, funder_a, agreement, "ods")
    book = tablib.Databook()
    book.load(content, "ods")
    summary, indicators, participants = book.sheets()

    assert summary.title == "Synthèse" and participants.title == "Participant·es"
    assert ["Financeur", "Région Île-de-France"] in [list(row) for row in summary]
    assert indicators.headers[:3] == ["Code", "Indicateur", "Valeur"]
    assert participants.headers == PARTICIPANT_HEADERS
    awa = next(row for row in participants.dict if row["Pseudonyme"] == awa_pseudonym(agreement, people))
    assert awa["Début de session"] == people["awa"].session.start_date
    assert awa["RQTH"] == "Oui"
    assert awa["Poste ou formation (dernier suivi)"].startswith("'=HYPERLINK")
    assert awa["Employeur ou organisme (dernier suivi)"] == "'+33 6 12 34 56 78"


def test_json_participant_file_keeps_types(client, agreement, funder_a, people):
    rows = json.loads(download(client, funder_a, agreement, "json"))

    assert len(rows) == 3
    awa = next(row for row in rows if row["Pseudonyme"] == awa_pseudonym(agreement, people))
    assert list(awa) == PARTICIPANT_HEADERS
    assert awa["Début de session"] == people["awa"].session.start_date.isoformat()
    assert awa["RQTH"] is True
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
        read = [list(row.values()) for row in json.loads(content)]
    elif file_format == "csv":
        read = read_csv(content)[1:]
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
    return value


def normalised(value):
    if value in ("", None):
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def test_xlsx_drops_characters_a_spreadsheet_cannot_hold(client, agreement, funder_a, people):
    follow_up = people["awa"].follow_ups.get(milestone=FollowUpMilestone.SIX_MONTHS)
    follow_up.job_title = "Agent\x07 d’accueil & <standard>"
    follow_up.save()

    sheet = openpyxl.load_workbook(io.BytesIO(download(client, funder_a, agreement, "xlsx")))["Participant·es"]

    column = PARTICIPANT_HEADERS.index("Poste ou formation (dernier suivi)")
    titles = {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Agent d’accueil & <standard>" in titles


# --- Pseudonyms and named data -------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_pseudonymised_file_holds_no_name_email_address_or_birth_date(
    client, agreement, funder_a, people, file_format
):
    content = readable_bytes(download(client, funder_a, agreement, file_format), file_format)

    for learner in (application.learner for application in people.values()):
        for secret in (learner.first_name, learner.last_name, learner.email, learner.postcode, "Aubervilliers"):
            assert secret.encode() not in content, secret
    for birth_date in (BIRTH_DATE.isoformat(), BIRTH_DATE.strftime("%d/%m/%Y"), "37666"):  # 37666: Excel serial
        assert birth_date.encode() not in content
    assert awa_pseudonym(agreement, people).encode() in content


def test_pseudonym_is_the_base32_of_an_hmac_of_funder_and_learner(settings):
    settings.PSEUDONYM_KEY = "clé de test"
    digest = hmac.new(b"cl\xc3\xa9 de test", b"12:3456", hashlib.sha256).digest()

    assert pseudonym(12, 3456) == "P-" + base64.b32encode(digest).decode()[:12]
    assert pseudonym(12, 3456) != pseudonym(13, 3456)


def test_pseudonym_is_stable_for_a_funder_and_differs_between_funders(client, campus, agreement, funder_a, people):
    other_agreement = AgreementFactory(campuses=[campus])
    funder_b = funder_user(other_agreement.funder)

    first = read_csv(download(client, funder_a, agreement, "csv"))
    second = read_csv(download(client, funder_a, agreement, "csv"))
    other = read_csv(download(client, funder_b, other_agreement, "csv"))

    pseudonyms = {row[0] for row in first[1:]}
    assert pseudonyms == {row[0] for row in second[1:]}
    assert len(pseudonyms) == 3 and all(value.startswith("P-") and len(value) == 14 for value in pseudonyms)
    assert pseudonyms.isdisjoint({row[0] for row in other[1:]})


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_named_columns_are_filled_only_for_people_who_consented(client, agreement, funder_a, people, file_format):
    agreement.requires_named_data = True
    agreement.save()
    content = download(client, funder_a, agreement, file_format)

    if file_format == "csv":
        headers, *rows = read_csv(content)
        records = [dict(zip(headers, row, strict=True)) for row in rows]
    elif file_format == "json":
        records = json.loads(content)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Participant·es"]
        headers, *rows = sheet.iter_rows(values_only=True)
        records = [dict(zip(headers, row, strict=True)) for row in rows]

    assert list(records[0])[:5] == ["Pseudonyme", *NAMED_HEADERS]
    by_pseudonym = {record["Pseudonyme"]: record for record in records}
    awa = by_pseudonym[awa_pseudonym(agreement, people)]
    assert (awa["Prénom"], awa["Nom"], awa["E-mail"]) == ("Awa", "Zerbinati", "awa.zerbinati@courriel.example")
    assert normalised(awa["Date de naissance"]) in (BIRTH_DATE.isoformat(), BIRTH_DATE.strftime("%d/%m/%Y"))
    for name in ("bilal", "chloe"):
        record = by_pseudonym[pseudonym(agreement.funder_id, people[name].learner_id)]
        assert all(normalised(record[header]) is None for header in NAMED_HEADERS)
    text = readable_bytes(content, file_format)
    assert b"Quennevilliers" not in text and b"Ravenscroft" not in text


def test_an_anonymised_learner_stays_unnamed_even_after_consenting(agreement, people):
    agreement.requires_named_data = True
    learner = people["awa"].learner
    learner.anonymised_at = timezone.now()
    learner.save()

    rows = list(ParticipantResource(agreement, Period.of_agreement(agreement)).rows())

    awa = next(row for row in rows if row[0] == awa_pseudonym(agreement, people))
    assert awa[1:5] == (None, None, None, None)


def test_someone_who_only_applied_stays_unnamed_even_after_consenting(agreement, people):
    agreement.requires_named_data = True
    learner = people["chloe"].learner
    learner.named_data_consent_at = timezone.now()
    learner.save()

    rows = list(ParticipantResource(agreement, Period.of_agreement(agreement)).rows())

    chloe = next(row for row in rows if row[0] == pseudonym(agreement.funder_id, people["chloe"].learner_id))
    assert chloe[1:5] == (None, None, None, None)


def test_learner_names_starting_like_formulas_are_neutralised(client, agreement, funder_a, people):
    agreement.requires_named_data = True
    agreement.save()
    learner = people["awa"].learner
    learner.first_name = "@SUM(A1:A9)"
    learner.last_name = "-2+3"
    learner.save()

    headers, *rows = read_csv(download(client, funder_a, agreement, "csv"))

    awa = row_of(rows, headers, awa_pseudonym(agreement, people))
    assert (awa["Prénom"], awa["Nom"]) == ("'@SUM(A1:A9)", "'-2+3")


# --- The aggregate report ------------------------------------------------------------------------


def test_report_csv_has_one_row_per_indicator_then_esf(client, agreement, funder_a, people):
    report = compute(agreement, Period.of_agreement(agreement))
    headers, *rows = read_csv(download(client, funder_a, agreement, "csv", name="export_report"))

    assert headers == [
        "Code",
        "Indicateur",
        "Valeur",
        "Unité",
        "Numérateur",
        "Dénominateur",
        "Objectif",
        "Objectif atteint",
        "Femmes",
        "Hommes",
        "Remarque",
    ]
    assert [row[0] for row in rows] == [result.code for result in (*report.indicators, *report.esf)]
    records = {row[0]: dict(zip(headers, row, strict=True)) for row in rows}
    women = report.by_code("part_femmes")
    assert records["part_femmes"]["Valeur"] == str(women.value).replace(".", ",")
    assert (records["part_femmes"]["Numérateur"], records["part_femmes"]["Dénominateur"]) == ("1", "2")
    assert records["part_femmes"]["Objectif"] == "30,00"
    assert records["part_femmes"]["Objectif atteint"] == "Oui"
    assert records["candidats"]["Valeur"] == "3"
    assert records["candidats"]["Objectif atteint"] == "Non"
    assert records["part_rqth"]["Objectif"] == records["part_rqth"]["Objectif atteint"] == ""
    total = next(result for result in report.esf if result.women is not None)
    assert (records[total.code]["Femmes"], records[total.code]["Hommes"]) == (str(total.women), str(total.men))
    not_collected = next(result for result in report.esf if result.not_collected_reason)
    assert records[not_collected.code]["Valeur"] == ""
    assert records[not_collected.code]["Remarque"] == str(not_collected.not_collected_reason)


def test_report_resource_exports_the_computed_values(agreement, people):
    period = Period.of_agreement(agreement)
    report = compute(agreement, period)

    dataset = ReportResource(agreement, period).export()

    assert len(dataset) == len(report.indicators) + len(report.esf)
    first = dict(zip(dataset.headers, dataset[0], strict=True))
    result = report.indicators[0]
    assert (first["Code"], first["Indicateur"], first["Valeur"], first["Objectif"]) == (
        result.code,
        str(result.label),
        result.value,
        result.target,
    )


def test_report_in_json_xlsx_and_ods(client, agreement, funder_a, people):
    report = compute(agreement, Period.of_agreement(agreement))

    document = json.loads(download(client, funder_a, agreement, "json", name="export_report"))
    assert document["convention"] == "REG/IDF 2026-014"
    assert document["debut"] == agreement.start_date.isoformat()
    women = next(row for row in document["indicateurs"] if row["Code"] == "part_femmes")
    assert women["Valeur"] == float(report.by_code("part_femmes").value)
    assert women["Objectif"] == 30 and women["Objectif atteint"] is True

    workbook = openpyxl.load_workbook(io.BytesIO(download(client, funder_a, agreement, "xlsx", name="export_report")))
    assert workbook.sheetnames == ["Synthèse"]
    codes = [row[0] for row in workbook["Synthèse"].iter_rows(values_only=True)]
    assert codes[-len(report.esf) :] == [result.code for result in report.esf]

    book = tablib.Databook()
    book.load(download(client, funder_a, agreement, "ods", name="export_report"), "ods")
    assert [sheet.title for sheet in book.sheets()] == ["Synthèse", "Indicateurs"]
    assert Decimal(str(book.sheets()[1].dict[0]["Valeur"])) == Decimal(report.indicators[0].value)


# --- Period and access ---------------------------------------------------------------------------


def test_period_restricts_the_people_exported(client, agreement, funder_a, people, campus):
    later = SessionFactory(
        formation=people["awa"].session.formation, start_date=days_ago(20), application_deadline=days_ago(30)
    )
    ApplicationFactory(session=later)
    start, end = days_ago(60), timezone.localdate()

    content = download(client, funder_a, agreement, "csv", debut=start.isoformat(), fin=end.isoformat())

    assert len(read_csv(content)) == 2
    response = client.get(url("export_participants", agreement, "csv", debut=start.isoformat()))
    assert response["Content-Disposition"].endswith(f'-{start:%Y-%m-%d}-{agreement.end_date:%Y-%m-%d}.csv"')


def test_a_period_outside_the_agreement_is_refused_in_words(client, agreement, funder_a):
    client.force_login(funder_a)
    too_early = agreement.start_date - datetime.timedelta(days=1)

    response = client.get(url("export_participants", agreement, "csv", debut=too_early.isoformat()))

    assert response.status_code == 400
    assert "la période de la convention" in response.content.decode()


@pytest.mark.parametrize("name", ["export_report", "export_participants"])
def test_another_funder_gets_404_on_the_files(client, agreement, people, name):
    funder_b = funder_user(FunderFactory())
    AgreementFactory(funder=funder_b.funders.get(), campuses=[people["awa"].campus])
    client.force_login(funder_b)

    for file_format in FORMATS:
        assert client.get(url(name, agreement, file_format)).status_code == 404


@pytest.mark.parametrize("name", ["export_report", "export_participants"])
def test_campus_staff_without_funder_account_get_404(client, agreement, campus, name):
    client.force_login(UserFactory(staff_of=campus))

    assert client.get(url(name, agreement, "csv")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, agreement):
    response = client.get(url("export_participants", agreement, "csv"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_format_is_404(client, agreement, funder_a):
    client.force_login(funder_a)

    assert client.get(url("export_participants", agreement, "pdf")).status_code == 404


def test_superuser_may_download(client, agreement, people):
    client.force_login(UserFactory(superuser=True))

    assert len(read_csv(body(client.get(url("export_participants", agreement, "csv"))))) == 4


def test_empty_agreement_gives_headers_only(client, agreement, funder_a):
    assert read_csv(download(client, funder_a, agreement, "csv")) == [PARTICIPANT_HEADERS]
    assert json.loads(download(client, funder_a, agreement, "json")) == []
