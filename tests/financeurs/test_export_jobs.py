"""Participant files above the synchronous limit: written by a background task, with a progress page."""

import io

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from financeurs import exports
from tests.campus.factories import UserFactory
from tests.financeurs.downloads import body, url
from tests.financeurs.factories import AgreementFactory, FunderFactory, funder_user
from transferts.models import DataJob

# Each person shown, however few: the k-anonymity of the file is tested in test_exports_anonymity.py.
pytestmark = pytest.mark.usefixtures("one_person_classes")


@pytest.fixture
def small_limit(settings):
    settings.EXPORT_SYNC_MAX_ROWS = 2


def ask(client, user, agreement, file_format, django_capture_on_commit_callbacks, name="export_participants"):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url(name, agreement, file_format))
    if response.streaming:
        response.content_read = body(response)  # reading a file response closes its file
    return response


def job_page(client, job):
    return client.get(reverse("financeurs:export_job", kwargs={"pk": job.pk}))


def job_file(client, job):
    response = client.get(reverse("financeurs:export_job_download", kwargs={"pk": job.pk}))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_background_file_is_the_same_as_the_direct_download(
    client, agreement, funder_a, people, small_limit, settings, django_capture_on_commit_callbacks, file_format
):
    response = ask(client, funder_a, agreement, file_format, django_capture_on_commit_callbacks)

    job = DataJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("financeurs:export_job", kwargs={"pk": job.pk})
    assert (job.direction, job.kind, job.file_format, job.subject, job.requested_by) == (
        DataJob.Direction.EXPORT,
        "participants",
        file_format,
        agreement,
        funder_a,
    )
    assert job.state == DataJob.State.DONE
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.params["debut"] == agreement.start_date.isoformat()
    background = job_file(client, job)
    name = job.params["file_name"]
    assert name.startswith("participants-") and name.endswith(f".{file_format}")
    assert background["Content-Disposition"] == f'attachment; filename="{name}"'

    settings.EXPORT_SYNC_MAX_ROWS = 10_000
    direct = client.get(url("export_participants", agreement, file_format))
    assert body(background) == body(direct)


def test_background_xlsx_holds_the_same_rows(
    client, agreement, funder_a, people, small_limit, settings, django_capture_on_commit_callbacks
):
    ask(client, funder_a, agreement, "xlsx", django_capture_on_commit_callbacks)
    background = openpyxl.load_workbook(io.BytesIO(body(job_file(client, DataJob.objects.get()))))

    settings.EXPORT_SYNC_MAX_ROWS = 10_000
    direct = openpyxl.load_workbook(io.BytesIO(body(client.get(url("export_participants", agreement, "xlsx")))))

    for sheet in ("Participant·es", "Synthèse"):
        rows = [row for row in background[sheet].iter_rows(values_only=True) if row[:1] != ("Généré le",)]
        assert rows == [row for row in direct[sheet].iter_rows(values_only=True) if row[:1] != ("Généré le",)]


def test_ods_also_goes_to_the_background_above_the_limit(
    client, agreement, funder_a, people, small_limit, django_capture_on_commit_callbacks
):
    ask(client, funder_a, agreement, "ods", django_capture_on_commit_callbacks)

    job = DataJob.objects.get()
    assert job.state == DataJob.State.DONE and job.done == 3
    assert body(job_file(client, job))[:2] == b"PK"


@pytest.mark.parametrize("file_format", ["csv", "ods"])
def test_rows_withheld_for_anonymity_count_as_done(
    client, agreement, funder_a, people, small_limit, settings, django_capture_on_commit_callbacks, file_format
):
    settings.PARTICIPANT_FILE_K = 5  # three people: too few to be shown at all

    ask(client, funder_a, agreement, file_format, django_capture_on_commit_callbacks)

    job = DataJob.objects.get()
    assert (job.state, job.done, job.total, job.percent) == (DataJob.State.DONE, 3, 3, 100)


def test_below_the_limit_no_job_is_created(client, agreement, funder_a, people, django_capture_on_commit_callbacks):
    response = ask(client, funder_a, agreement, "ods", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert not DataJob.objects.exists()


def test_reports_never_go_to_the_background(
    client, agreement, funder_a, people, small_limit, django_capture_on_commit_callbacks
):
    response = ask(client, funder_a, agreement, "csv", django_capture_on_commit_callbacks, name="export_report")

    assert response.status_code == 200
    assert not DataJob.objects.exists()


def test_asking_twice_reuses_the_job(
    client, agreement, funder_a, people, small_limit, django_capture_on_commit_callbacks
):
    first = ask(client, funder_a, agreement, "csv", django_capture_on_commit_callbacks)
    second = ask(client, funder_a, agreement, "csv", django_capture_on_commit_callbacks)

    assert first["Location"] == second["Location"]
    assert DataJob.objects.count() == 1


def test_done_job_page_offers_the_file_without_refreshing(
    client, agreement, funder_a, people, small_limit, django_capture_on_commit_callbacks
):
    ask(client, funder_a, agreement, "csv", django_capture_on_commit_callbacks)
    job = DataJob.objects.get()

    page = job_page(client, job).content.decode()

    assert 'http-equiv="refresh"' not in page
    assert reverse("financeurs:export_job_download", kwargs={"pk": job.pk}) in page
    assert job.params["file_name"] in page


def queued_job(agreement, user, **fields):
    fields = {
        "direction": DataJob.Direction.EXPORT,
        "kind": "participants",
        "file_format": "csv",
        "params": {"debut": "2026-01-01", "fin": "2026-12-31", "file_name": "participants.csv"},
        **fields,
    }
    return DataJob.objects.create(requested_by=user, subject=agreement, **fields)


def test_running_job_page_refreshes_itself_with_a_progress_bar(client, agreement, funder_a):
    job = queued_job(agreement, funder_a, state=DataJob.State.RUNNING, done=4000, total=16000)
    client.force_login(funder_a)

    page = job_page(client, job).content.decode()

    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress id="avancement" max="100" value="25">25 %</progress>' in page
    assert "4000 lignes sur 16000 écrites." in page
    assert reverse("financeurs:export_job_download", kwargs={"pk": job.pk}) not in page
    assert client.get(reverse("financeurs:export_job_download", kwargs={"pk": job.pk})).status_code == 404


def test_a_failing_job_says_so_in_plain_french(
    client, agreement, funder_a, people, small_limit, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(exports, "write", broken)
    ask(client, funder_a, agreement, "csv", django_capture_on_commit_callbacks)

    job = DataJob.objects.get()
    assert job.state == DataJob.State.FAILED
    assert job.finished_at is not None
    page = job_page(client, job).content.decode()
    assert "Le fichier n’a pas pu être préparé" in page
    assert 'http-equiv="refresh"' not in page


def test_another_funder_gets_404_on_the_job_and_its_file(client, agreement, funder_a):
    job = queued_job(agreement, funder_a, state=DataJob.State.DONE)
    other = funder_user(FunderFactory())
    AgreementFactory(funder=other.funders.get(), campuses=[agreement.campuses.get()])
    client.force_login(other)

    assert job_page(client, job).status_code == 404
    assert client.get(reverse("financeurs:export_job_download", kwargs={"pk": job.pk})).status_code == 404


def test_a_colleague_of_the_same_funder_does_not_see_the_job(client, agreement, funder_a):
    job = queued_job(agreement, funder_a)
    client.force_login(funder_user(agreement.funder))

    assert job_page(client, job).status_code == 404


def test_the_requester_loses_the_job_when_leaving_the_funder(client, agreement, funder_a):
    job = queued_job(agreement, funder_a)
    agreement.funder.members.remove(funder_a)
    client.force_login(funder_a)

    assert job_page(client, job).status_code == 404


def test_import_jobs_are_not_export_pages(client, agreement, funder_a):
    job = queued_job(agreement, funder_a, direction=DataJob.Direction.IMPORT)
    client.force_login(funder_a)

    assert job_page(client, job).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_from_a_job(client, agreement):
    job = queued_job(agreement, UserFactory())

    response = job_page(client, job)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_deleted_agreement_takes_its_jobs_and_their_files_along(
    agreement, funder_a, django_capture_on_commit_callbacks
):
    job = queued_job(agreement, funder_a, state=DataJob.State.DONE)
    job.result.save("participants.csv", ContentFile(b"pseudonyme;genre\nP-ABC;femme\n"))
    name = job.result.name

    with django_capture_on_commit_callbacks(execute=True):
        agreement.delete()

    assert not DataJob.objects.exists()
    assert not storages["private"].exists(name)
