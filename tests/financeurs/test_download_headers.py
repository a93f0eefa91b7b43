"""Everything a funder sees is personal data about young people: no browser or proxy keeps a copy."""

import pytest
from django.urls import reverse

from tests.financeurs.downloads import body, url
from transferts.models import DataJob

pytestmark = pytest.mark.django_db


def is_private(response):
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= cache_control


@pytest.fixture
def logged_in(client, funder_a):
    client.force_login(funder_a)
    return client


def test_the_portal_pages_are_never_stored(logged_in, agreement, people):
    index = logged_in.get(reverse("financeurs:index"))
    dashboard = logged_in.get(reverse("financeurs:agreement", kwargs={"pk": agreement.pk}))

    assert (index.status_code, dashboard.status_code) == (200, 200)
    assert is_private(index)
    assert is_private(dashboard)


@pytest.mark.parametrize("name", ["export_report", "export_participants"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_direct_downloads_are_never_stored(logged_in, agreement, people, name, file_format):
    response = logged_in.get(url(name, agreement, file_format))
    body(response)

    assert response.status_code == 200
    assert is_private(response)


def test_a_background_export_its_progress_page_and_its_file_are_never_stored(
    logged_in, agreement, people, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.get(url("export_participants", agreement, "csv"))
    job = DataJob.objects.get()

    progress = logged_in.get(reverse("financeurs:export_job", kwargs={"pk": job.pk}))
    download = logged_in.get(reverse("financeurs:export_job_download", kwargs={"pk": job.pk}))
    body(download)

    assert (progress.status_code, download.status_code) == (200, 200)
    assert is_private(progress)
    assert is_private(download)
