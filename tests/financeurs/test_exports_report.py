"""Funders' downloads, the aggregate report: one row per indicator then the ESF ones, in every format."""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import tablib
from django.utils import timezone

from financeurs.indicators import Period, compute
from financeurs.resources import ReportResource
from formations.models import Session
from inscriptions.workflow import Status
from tests.financeurs.downloads import download, read_csv
from tests.inscriptions.factories import ApplicationFactory


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
        "Valeur parmi toutes les personnes sorties",
        "Base de cette valeur",
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
    # 1 of 2 is above 30 %, but two people are too few to conclude.
    assert records["part_femmes"]["Objectif atteint"] == ""
    assert records["part_femmes"]["Remarque"] == "Trop peu de personnes pour conclure."
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
    assert women["Objectif"] == 30 and women["Objectif atteint"] is None  # two people: too few to conclude

    workbook = openpyxl.load_workbook(io.BytesIO(download(client, funder_a, agreement, "xlsx", name="export_report")))
    assert workbook.sheetnames == ["Synthèse"]
    codes = [row[0] for row in workbook["Synthèse"].iter_rows(values_only=True)]
    assert codes[-len(report.esf) :] == [result.code for result in report.esf]

    book = tablib.Databook()
    book.load(download(client, funder_a, agreement, "ods", name="export_report"), "ods")
    assert [sheet.title for sheet in book.sheets()] == ["Synthèse", "Indicateurs"]
    assert Decimal(str(book.sheets()[1].dict[0]["Valeur"])) == Decimal(report.indicators[0].value)


def test_the_report_says_who_is_not_yet_counted_as_a_leaver(agreement, people):
    session = people["bilal"].session
    Session.objects.filter(pk=session.pk).update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    ApplicationFactory(session=session, status=Status.IN_TRAINING)
    period = Period.of_agreement(agreement)

    records = {row[0]: row for row in ReportResource(agreement, period).rows()}

    assert "1 personne(s) encore « en formation » après la fin de leur session" in records["termines"][-1]
    assert records["candidats"][-1] is None
