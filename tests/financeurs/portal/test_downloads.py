"""The funders' portal, downloads: both files in every format for the period shown, and never another funder's."""

import pytest
from django.urls import reverse

from tests.financeurs.portal.pages import dashboard_url, soup

FORMATS = ["csv", "xlsx", "ods", "json"]


def test_downloads_offer_both_files_in_every_format_for_the_period_shown(client, funder_a, agreement_a):
    client.force_login(funder_a)

    page = soup(client.get(dashboard_url(agreement_a, debut="01/04/2026", fin="30/06/2026")))

    section = page.find(id="telechargements-titre").parent
    period = "?debut=2026-04-01&fin=2026-06-30"
    for name, title in [("export_report", "Rapport agrégé"), ("export_participants", "Fichier des participant·es")]:
        links = section.find("ul", attrs={"aria-labelledby": f"fichier-{name}"}).find_all("a")
        assert [(link.get_text(" ", strip=True), link["href"]) for link in links] == [
            (
                f"{label} : {title}",
                reverse(f"financeurs:{name}", kwargs={"pk": agreement_a.pk, "file_format": file_format}) + period,
            )
            for file_format, label in zip(FORMATS, ["CSV", "Excel (XLSX)", "OpenDocument (ODS)", "JSON"], strict=True)
        ]


def test_the_report_link_of_the_dashboard_downloads_a_file(client, funder_a, agreement_a):
    client.force_login(funder_a)
    page = soup(client.get(dashboard_url(agreement_a)))

    (link,) = [a for a in page.select("ul.downloads a") if a.get_text(" ", strip=True) == "CSV : Rapport agrégé"]
    response = client.get(link["href"])
    content = b"".join(response.streaming_content)
    response.close()

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert content.decode("utf-8-sig").startswith("Code;Indicateur;Valeur")


@pytest.mark.parametrize("name", ["export_report", "export_participants"])
@pytest.mark.parametrize("file_format", FORMATS)
def test_funder_never_downloads_another_funders_files(client, funder_a, agreement_b, name, file_format):
    client.force_login(funder_a)

    response = client.get(reverse(f"financeurs:{name}", kwargs={"pk": agreement_b.pk, "file_format": file_format}))

    assert response.status_code == 404
