"""Import jobs that hold: confirmed once whatever the clicks, noticed when their worker stops, and never half
written."""

import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inscriptions.imports import FollowUpImport
from inscriptions.models import FollowUp
from tests.campus.factories import UserFactory
from tests.transferts.test_import_reading import csv_bytes
from tests.transferts.test_import_views import HEADER, follow_ups_file, left_training, upload
from transferts import jobs
from transferts.models import DataJob


@pytest.fixture
def session():
    from tests.formations.factories import SessionFactory

    return SessionFactory(past=True)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus, first_name="Awa", last_name="Diallo")


def previewed_job(client, session, staff, count=3):
    applications = [left_training(session) for _ in range(count)]
    client.force_login(staff)
    upload(client, follow_ups_file(applications))
    job = DataJob.objects.latest("pk")
    assert job.state == DataJob.State.PREVIEW
    return job


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_second_click_on_confirm_writes_nothing_more_and_says_who_confirmed_when(client, session, staff):
    job = previewed_job(client, session, staff)

    first = client.post(reverse("imports:confirm", args=[job.pk]))
    second = client.post(reverse("imports:confirm", args=[job.pk]))

    job.refresh_from_db()
    assert (job.state, job.confirmed_by) == (DataJob.State.DONE, staff)
    assert messages_of(first) == ["Import terminé."]
    at = timezone.localtime(job.confirmed_at)
    assert messages_of(second)[-1] == f"Cet import a déjà été confirmé par Awa Diallo à {at:%H:%M}."
    assert FollowUp.objects.count() == 3


def test_the_header_found_below_a_title_is_said_on_the_preview(client, session, staff):
    application = left_training(session)
    rows = [["Suivis de sortie 2025"], HEADER, [str(application.pk), "sortie", "CDI", "Orange"]]
    client.force_login(staff)

    response = upload(client, SimpleUploadedFile("suivis.csv", csv_bytes(rows)))

    job = DataJob.objects.get()
    assert (job.state, job.total, job.summary["header_line"]) == (DataJob.State.PREVIEW, 1, 2)
    page = client.get(response.url).content.decode().replace("&#x27;", "'")
    assert "L’en-tête est à la ligne 2 : les lignes au-dessus ont été laissées de côté." in page.replace("'", "’")


def test_the_sheet_read_is_said_on_the_preview(client, session, staff):
    from tests.transferts.test_import_limits import workbook_bytes

    application = left_training(session)
    data = workbook_bytes([("Consignes", [["À remplir"]]), ("Suivis", [HEADER, [application.pk, "sortie", "CDI"]])])
    client.force_login(staff)

    response = upload(client, SimpleUploadedFile("suivis.xlsx", data))

    assert DataJob.objects.get().state == DataJob.State.PREVIEW
    page = client.get(response.url).content.decode().replace("'", "’").replace("&#x27;", "’")
    assert "Les lignes ont été lues sur la feuille « Suivis », la première qui a l’en-tête." in page


def test_a_zip_bomb_is_refused_at_upload_from_its_directory_alone(client, session, staff):
    from tests.transferts.test_import_limits import with_member
    from tests.transferts.test_import_reading import xlsx_bytes

    data = with_member(xlsx_bytes([HEADER]), "xl/media/bombe.bin", 8 * 1024 * 1024)
    client.force_login(staff)

    response = upload(client, SimpleUploadedFile("suivis.xlsx", data))

    assert "Ce classeur est anormalement compressé" in " ".join(response.context["form"].errors["file"])
    assert not DataJob.objects.exists()


def test_too_many_rows_fail_the_job_with_the_limit_said(client, session, staff, settings):
    settings.IMPORT_MAX_ROWS = 2
    client.force_login(staff)

    upload(client, follow_ups_file([left_training(session) for _ in range(3)]))

    job = DataJob.objects.get()
    assert job.state == DataJob.State.FAILED
    assert job.errors == ["Le fichier dépasse 2 lignes (hors en-tête) : découpez-le en plusieurs fichiers."]
    assert not job.source


def test_the_command_line_keeps_the_same_limits(tmp_path, settings, session, staff):
    settings.IMPORT_MAX_ROWS = 1
    path = tmp_path / "suivis.csv"
    path.write_bytes(csv_bytes([HEADER, ["1", "sortie", "CDI", "Orange"], ["2", "sortie", "CDI", "Orange"]]))

    with pytest.raises(CommandError, match="Le fichier dépasse 1 lignes"):
        call_command("import_fichier", "suivis", str(path), "--campus", session.campus.slug, "--user", staff.username)


def test_the_job_beats_while_it_reads_and_checks_its_rows(client, session, staff, monkeypatch):
    beats = []
    monkeypatch.setattr(DataJob, "beat", lambda job: beats.append(job.pk))
    rows = [HEADER, *([str(n), "sortie", "CDI", "Orange"] for n in range(2500))]
    client.force_login(staff)

    upload(client, SimpleUploadedFile("suivis.csv", csv_bytes(rows)))

    job = DataJob.objects.get()
    assert len(beats) >= 2
    assert job.heartbeat_at > job.created_at


def stopped_worker(job, minutes=20):
    """What a killed worker leaves: the job running, its last beat long ago."""
    DataJob.objects.filter(pk=job.pk).update(
        state=DataJob.State.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def test_a_job_whose_worker_stopped_is_queued_once_more_then_failed_and_its_file_deleted(client, session, staff):
    job = previewed_job(client, session, staff)
    stopped_worker(job)

    call_command("recover_import_jobs", verbosity=0)

    job.refresh_from_db()
    assert (job.state, job.restarts) == (DataJob.State.PREVIEW, 1)
    stopped_worker(job)
    storage, name = job.source.storage, job.source.name

    call_command("recover_import_jobs", verbosity=0)

    job.refresh_from_db()
    assert job.state == DataJob.State.FAILED
    assert job.errors[0].startswith("Le traitement de cet import s'est arrêté en route")
    assert not storage.exists(name)


def test_a_job_still_beating_is_left_alone(client, session, staff):
    job = previewed_job(client, session, staff)
    stopped_worker(job, minutes=1)

    call_command("recover_import_jobs", verbosity=0)

    job.refresh_from_db()
    assert (job.state, job.restarts) == (DataJob.State.RUNNING, 0)


def test_the_job_page_recovers_a_job_whose_worker_stopped(client, session, staff):
    job = previewed_job(client, session, staff)
    stopped_worker(job)

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()

    job.refresh_from_db()
    assert (job.state, job.restarts) == (DataJob.State.PREVIEW, 1)
    assert "Confirmer l’import" in page


class WorkerKilled(BaseException):
    """What the process sees of a SIGKILL, as far as the database is concerned: it stops there, no except runs."""


def test_a_worker_killed_mid_write_changed_no_row_and_the_job_is_written_once_recovered(
    client, session, staff, monkeypatch
):
    job = previewed_job(client, session, staff)
    jobs.confirm_job(job, user=staff)
    written = FollowUpImport.write

    def killed(self, plan):
        written(self, plan)
        assert FollowUp.objects.count() == 3
        raise WorkerKilled

    monkeypatch.setattr(FollowUpImport, "write", killed)
    with pytest.raises(WorkerKilled):
        jobs.write_job(job)

    job.refresh_from_db()
    assert job.state == DataJob.State.RUNNING
    assert not FollowUp.objects.exists()
    monkeypatch.setattr(FollowUpImport, "write", written)
    stopped_worker(job)

    call_command("recover_import_jobs", verbosity=0)

    job.refresh_from_db()
    assert (job.state, job.restarts) == (DataJob.State.DONE, 1)
    assert FollowUp.objects.count() == 3


def run_together(actions, timeout=60):
    barrier = threading.Barrier(len(actions), timeout=timeout)
    results = [None] * len(actions)

    def worker(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as error:  # reported by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads)
    return results


def confirming(user, job):
    def confirm():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        response = client.post(reverse("imports:confirm", args=[job.pk]))
        return response.status_code, messages_of(response)

    return confirm


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_confirmations_write_once_and_tell_the_others(client, session, staff):
    job = previewed_job(client, session, staff)

    results = run_together([confirming(staff, job) for _ in range(30)])

    assert [status for status, _said in results] == [302] * 30
    said = [messages[0] for _status, messages in results]
    assert said.count("Import terminé.") == 1
    assert sum(message.startswith("Cet import a déjà été confirmé par Awa Diallo à ") for message in said) == 29
    assert FollowUp.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_staff_confirming_the_same_file_at_once_get_no_error_and_one_row_each(client, session):
    applications = [left_training(session) for _ in range(20)]
    team = [UserFactory(staff_of=session.campus) for _ in range(8)]
    confirmations = []
    for member in team:
        client.force_login(member)
        upload(client, follow_ups_file(applications))
        confirmations.append(confirming(member, DataJob.objects.latest("pk")))

    results = run_together(confirmations)

    assert [status for status, _said in results] == [302] * 8
    assert set(DataJob.objects.values_list("state", flat=True)) == {DataJob.State.DONE}
    assert FollowUp.objects.count() == 20


def test_rows_checked_a_chunk_at_a_time_still_meet_their_duplicates_and_are_all_counted(
    client, session, staff, monkeypatch
):
    monkeypatch.setattr(FollowUpImport, "chunk_size", 2)
    applications = [left_training(session) for _ in range(5)]
    rows = [HEADER, *([str(application.pk), "sortie", "CDI", "Orange"] for application in applications)]
    client.force_login(staff)

    upload(client, SimpleUploadedFile("suivis.csv", csv_bytes([*rows, rows[1]])))
    upload(client, SimpleUploadedFile("suivis.csv", csv_bytes(rows)))

    with_duplicate, clean = DataJob.objects.order_by("pk")
    assert with_duplicate.errors == [
        f"Ligne 7, colonne « moment » : « À la sortie pour la candidature n° {applications[0].pk} » "
        "figure déjà ligne 2."
    ]
    assert (clean.state, clean.summary["created"]) == (DataJob.State.PREVIEW, 5)
    client.post(reverse("imports:confirm", args=[clean.pk]))
    clean.refresh_from_db()
    assert (clean.state, clean.summary["created"]) == (DataJob.State.DONE, 5)
    assert FollowUp.objects.count() == 5


def test_a_row_found_wrong_in_the_last_chunk_undoes_the_chunks_written_before_it(client, session, staff, monkeypatch):
    from inscriptions.models import Application

    monkeypatch.setattr(FollowUpImport, "chunk_size", 2)
    job = previewed_job(client, session, staff, count=5)
    from tests.formations.factories import SessionFactory

    elsewhere = SessionFactory(past=True)
    # Moved to another campus since the preview: the last row is now a number this campus does not know.
    Application.objects.filter(pk=Application.objects.order_by("pk").last().pk).update(
        session=elsewhere, campus=elsewhere.campus
    )

    client.post(reverse("imports:confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.state == DataJob.State.FAILED
    assert not FollowUp.objects.exists()
