"""Funders' downloads, period and access: the period limits who is exported; the funder or a superuser gets files."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.campus.factories import UserFactory
from tests.financeurs.downloads import FORMATS, PARTICIPANT_HEADERS, body, download, read_csv, read_json, url
from tests.financeurs.factories import AgreementFactory, FunderFactory, days_ago, funder_user
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory

# Each person shown, however few: the k-anonymity of the file is tested in test_exports_anonymity.py.
pytestmark = pytest.mark.usefixtures("one_person_classes")


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
    assert read_json(download(client, funder_a, agreement, "json")) == []
