"""The admin's imports: upload → preview (nothing written) → confirm, each job seen by its requester only."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inscriptions.models import FollowUp
from inscriptions.workflow import Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory
from tests.transferts.test_import_reading import csv_bytes, xlsx_bytes
from transferts import tasks
from transferts import views as import_views
from transferts.models import DataJob

HEADER = ["n° de candidature", "moment", "situation", "employeur ou organisme"]


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def campus(session):
    return session.campus


@pytest.fixture
def staff(campus):
    return UserFactory(staff_of=campus)


def left_training(session):
    return ApplicationFactory(
        session=session, status=Status.COMPLETED, left_on=timezone.localdate() - datetime.timedelta(days=400)
    )


def follow_ups_file(applications, name="suivis.csv"):
    rows = [HEADER, *([str(application.pk), "sortie", "CDI", "Orange"] for application in applications)]
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


def upload(client, upload_file, kind="suivis", campus=None):
    data = {"kind": kind, "file": upload_file}
    if campus is not None:
        data["campus"] = campus.pk
    return client.post(reverse("imports:start"), data)


def test_upload_preview_then_confirm_writes_the_follow_ups(client, session, staff):
    applications = [left_training(session) for _ in range(3)]
    client.force_login(staff)

    response = upload(client, follow_ups_file(applications))

    job = DataJob.objects.get()
    assert response.url == reverse("imports:job", args=[job.pk])
    assert (job.direction, job.kind, job.campus, job.requested_by) == ("import", "suivis", session.campus, staff)
    assert job.state == DataJob.State.PREVIEW
    assert job.source.name.endswith(".csv")
    assert not FollowUp.objects.exists()
    preview = client.get(response.url)
    assert preview.status_code == 200
    content = preview.content.decode()
    assert "Confirmer l’import" in content
    assert '<dd id="count-created">3</dd>' in content
    assert "Orange" in content

    storage, name = job.source.storage, job.source.name
    assert storage.exists(name)

    confirmed = client.post(reverse("imports:confirm", args=[job.pk]))

    assert confirmed.url == reverse("imports:job", args=[job.pk])
    job.refresh_from_db()
    assert job.state == DataJob.State.DONE
    assert FollowUp.objects.count() == 3
    # The file, with its personal data, is not kept once imported.
    assert not storage.exists(name)
    # A second click writes nothing more.
    client.post(reverse("imports:confirm", args=[job.pk]))
    assert FollowUp.objects.count() == 3


def test_the_campus_is_not_asked_when_the_user_has_only_one(client, staff):
    client.force_login(staff)

    form = client.get(reverse("imports:start")).context["form"]

    assert form.fields["campus"].widget.is_hidden
    assert form.fields["campus"].initial == staff.groups.get().campus.pk


def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(client, session, staff):
    elsewhere = left_training(SessionFactory(past=True))
    client.force_login(staff)

    response = upload(client, follow_ups_file([left_training(session), elsewhere]))

    job = DataJob.objects.get()
    assert job.state == DataJob.State.FAILED
    assert job.errors == [
        f"Ligne 3, colonne « n° de candidature » : aucune candidature n° {elsewhere.pk} dans ce campus."
    ]
    assert not job.source
    page = client.get(response.url).content.decode()
    assert f"aucune candidature n° {elsewhere.pk} dans ce campus" in page
    assert "Confirmer l’import" not in page
    client.post(reverse("imports:confirm", args=[job.pk]))
    assert not FollowUp.objects.exists()


def test_staff_cannot_choose_another_campus(client, session, staff):
    other = CampusPageFactory()
    client.force_login(staff)

    response = upload(client, follow_ups_file([left_training(session)]), campus=other)

    assert response.status_code == 200
    assert response.context["form"].errors["campus"]
    assert not DataJob.objects.exists()


def test_confirming_rechecks_the_rows_and_writes_nothing_if_they_changed(client, session, staff):
    application = left_training(session)
    client.force_login(staff)
    upload(client, follow_ups_file([application]))
    job = DataJob.objects.get()
    application.status, application.left_on = Status.IN_TRAINING, None
    application.save()

    client.post(reverse("imports:confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.state == DataJob.State.FAILED
    assert "n'est pas sortie de formation" in job.errors[0]
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    ("upload_file", "message"),
    [
        (
            SimpleUploadedFile("suivis.txt", b"a;b\r\n1;2\r\n"),
            "Le fichier doit être un CSV (.csv) ou un classeur Excel",
        ),
        (SimpleUploadedFile("suivis.csv", b""), "Le fichier soumis est vide."),
        (SimpleUploadedFile("suivis.xlsx", b"pas un classeur"), "Ce fichier n'est pas un classeur XLSX lisible."),
    ],
)
def test_unusable_uploads_are_refused_at_once(client, staff, upload_file, message):
    client.force_login(staff)

    response = upload(client, upload_file)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not DataJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, session, staff, settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 50
    client.force_login(staff)

    response = upload(client, follow_ups_file([left_training(session) for _ in range(5)]))

    assert "au plus" in " ".join(response.context["form"].errors["file"])
    assert not DataJob.objects.exists()


def test_a_missing_column_is_reported_on_the_preview(client, staff):
    client.force_login(staff)

    upload(client, SimpleUploadedFile("suivis.csv", csv_bytes([["n° de candidature"], ["12"]])))

    assert DataJob.objects.get().errors == [
        "Colonnes manquantes : « moment », « situation ». "
        "L'en-tête a été cherché dans les 10 premières lignes non vides."
    ]


def test_a_file_that_is_not_text_is_refused_by_the_worker_with_the_line_of_its_nul_byte(client, staff):
    client.force_login(staff)

    response = upload(client, SimpleUploadedFile("suivis.csv", bytes(range(256))))

    job = DataJob.objects.get()
    assert response.url == reverse("imports:job", args=[job.pk])
    assert job.state == DataJob.State.FAILED
    assert job.errors[0].startswith("Ligne 1 : le fichier contient un caractère nul (octet 0)")
    assert not job.source


class SpyTask:
    """Records what is enqueued, then runs it (the test settings run tasks at once)."""

    def __init__(self, task, calls):
        self.task, self.calls = task, calls

    def enqueue(self, *args):
        self.calls.append((self.task.name, args))
        return self.task.enqueue(*args)


def test_big_files_are_checked_and_written_in_the_background(client, session, staff, settings, monkeypatch):
    applications = [left_training(session) for _ in range(3)]
    calls = []
    monkeypatch.setattr(
        import_views,
        "tasks",
        SimpleNamespace(
            preview_import=SpyTask(tasks.preview_import, calls), write_import=SpyTask(tasks.write_import, calls)
        ),
    )
    client.force_login(staff)

    response = upload(client, follow_ups_file(applications))

    job = DataJob.objects.get()
    assert calls == [("preview_import", (job.pk,))]
    assert (job.state, job.total, job.done, job.percent) == (DataJob.State.PREVIEW, 3, 3, 100)
    client.post(reverse("imports:confirm", args=[job.pk]))
    assert calls[-1] == ("write_import", (job.pk,))
    job.refresh_from_db()
    assert job.state == DataJob.State.DONE
    assert FollowUp.objects.count() == 3
    assert client.get(response.url).status_code == 200


def test_every_upload_is_read_by_the_worker_and_the_request_answers_at_once(client, session, staff, monkeypatch):
    calls = []
    monkeypatch.setattr(import_views, "tasks", SimpleNamespace(preview_import=SimpleNamespace(enqueue=calls.append)))
    client.force_login(staff)

    response = upload(client, follow_ups_file([left_training(session)]))

    job = DataJob.objects.get()
    assert calls == [job.pk]
    assert (job.state, job.total) == (DataJob.State.QUEUED, 0)
    assert job.source.name.endswith(".csv")
    page = client.get(response.url).content.decode()
    # The progress page works without JavaScript: it reloads itself, and says how to reload it.
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Le fichier est en attente de lecture." in page
    assert f'href="{response.url}"' in page


def test_a_running_job_shows_its_progress_and_refreshes(client, staff, campus):
    job = DataJob.objects.create(
        direction="import",
        kind="suivis",
        file_format="csv",
        requested_by=staff,
        campus=campus,
        state=DataJob.State.RUNNING,
        done=250,
        total=1000,
    )
    client.force_login(staff)

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()

    assert '<progress id="progress" max="100" value="25">25 %</progress>' in page
    assert '<meta http-equiv="refresh" content="3">' in page


def test_a_job_is_seen_by_its_requester_only(client, session, staff):
    client.force_login(staff)
    upload(client, follow_ups_file([left_training(session)]))
    job = DataJob.objects.get()
    colleague = UserFactory(staff_of=session.campus)
    client.force_login(colleague)

    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:cancel", args=[job.pk])).status_code == 404
    assert not FollowUp.objects.exists()


def test_cancel_deletes_the_job_and_its_file(client, session, staff):
    client.force_login(staff)
    upload(client, follow_ups_file([left_training(session)]))
    job = DataJob.objects.get()
    storage, name = job.source.storage, job.source.name

    response = client.post(reverse("imports:cancel", args=[job.pk]))

    assert response.url == reverse("imports:start")
    assert not DataJob.objects.exists()
    assert not storage.exists(name)
    assert not FollowUp.objects.exists()


def admin_user(*codenames):
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    return user


def test_an_admin_user_without_import_rights_is_turned_away(client, campus):
    client.force_login(admin_user())

    response = client.get(reverse("imports:start"))

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert client.get(reverse("imports:template", args=["suivis"])).status_code == 404


def test_each_kind_needs_its_own_permission(client, session, campus):
    user = admin_user("add_referral")
    client.force_login(user)

    form = client.get(reverse("imports:start")).context["form"]
    response = upload(client, follow_ups_file([left_training(session)]), campus=campus)

    assert [kind for kind, _label in form.fields["kind"].choices] == ["orientations"]
    assert "kind" in response.context["form"].errors
    assert not DataJob.objects.exists()


def test_a_job_cannot_be_confirmed_once_the_permission_is_withdrawn(client, session, staff, campus):
    from django.contrib.auth.models import Permission

    client.force_login(staff)
    upload(client, follow_ups_file([left_training(session)]))
    campus.staff_group.permissions.remove(Permission.objects.get(codename="add_followup"))

    response = client.post(reverse("imports:confirm", args=[DataJob.objects.get().pk]))

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert not FollowUp.objects.exists()


def test_a_job_cannot_be_confirmed_by_someone_who_left_the_campus_team(client, session, staff, campus):
    client.force_login(staff)
    upload(client, follow_ups_file([left_training(session)]))
    other_campus = CampusPageFactory()
    staff.groups.set([other_campus.staff_group])

    response = client.post(reverse("imports:confirm", args=[DataJob.objects.get().pk]))

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert not FollowUp.objects.exists()


def test_templates_carry_the_expected_headers(client, staff):
    client.force_login(staff)

    response = client.get(reverse("imports:template", args=["suivis"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").splitlines()[0] == (
        "n° de candidature;moment;situation;employeur ou organisme;intitulé du poste ou de la formation;depuis le;"
        "signé le;code ROME"
    )


def test_the_start_page_lists_the_kinds_and_their_columns(client, staff):
    client.force_login(staff)

    page = client.get(reverse("imports:start")).content.decode()

    for text in ("Suivis de sortie", "Orientations par des partenaires", "Conventions de financement", "objectif"):
        assert text in page


def test_an_xlsx_upload_goes_through_and_a_second_import_changes_nothing(client, session, staff):
    applications = [left_training(session) for _ in range(2)]
    data = xlsx_bytes([HEADER, *([application.pk, 0, "CDI", "Orange"] for application in applications)])
    client.force_login(staff)

    for _attempt in range(2):
        upload(client, SimpleUploadedFile("suivis.xlsx", data))
        job = DataJob.objects.latest("pk")
        client.post(reverse("imports:confirm", args=[job.pk]))

    first, second = DataJob.objects.order_by("pk")
    assert (first.summary["created"], first.summary["unchanged"]) == (2, 0)
    assert (second.summary["created"], second.summary["unchanged"]) == (0, 2)
    assert second.state == DataJob.State.DONE
    assert FollowUp.objects.count() == 2


def test_agreements_are_imported_without_choosing_a_campus(client, staff, campus):
    from financeurs.models import Agreement

    rows = [
        [
            "référence",
            "financeur",
            "type de financeur",
            "intitulé",
            "début",
            "fin",
            "montant (€)",
            "places financées",
            "campus",
        ],
        [
            "FDN-2026-01",
            "Fondation Avenir",
            "Fondation",
            "Bourses",
            "01/01/2026",
            "31/12/2026",
            "5 000",
            "10",
            campus.title,
        ],
    ]
    client.force_login(staff)

    upload(client, SimpleUploadedFile("conventions.csv", csv_bytes(rows, encoding="cp1252")), kind="conventions")
    job = DataJob.objects.get()
    client.post(reverse("imports:confirm", args=[job.pk]))

    job.refresh_from_db()
    assert (job.campus, job.state) == (None, DataJob.State.DONE)
    assert list(Agreement.objects.get().campuses.all()) == [campus]


def test_the_imports_menu_shows_to_those_who_may_import(client, staff):
    client.force_login(staff)
    assert reverse("imports:start") in client.get(reverse("wagtailadmin_home")).content.decode()

    client.force_login(admin_user())
    assert reverse("imports:start") not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_crash_while_writing_leaves_the_job_failed_and_nothing_written(client, session, staff, monkeypatch):
    from inscriptions.imports import FollowUpImport

    client.force_login(staff)
    upload(client, follow_ups_file([left_training(session)]))
    job = DataJob.objects.get()

    def crash(self, plan):
        FollowUp.objects.bulk_create(plan.to_create)
        raise RuntimeError("disque plein")

    monkeypatch.setattr(FollowUpImport, "write", crash)

    # The write is the worker's: the request that confirms only queues it.
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.state == DataJob.State.FAILED
    assert job.errors == ["Une erreur inattendue a interrompu l'import : rien n'a été enregistré."]
    assert not FollowUp.objects.exists()


def test_the_first_200_errors_are_kept_with_the_total(client, staff):
    rows = [HEADER, *(["0", "sortie", "CDI", ""] for _ in range(250))]
    client.force_login(staff)

    response = upload(client, SimpleUploadedFile("suivis.csv", csv_bytes(rows)))

    job = DataJob.objects.get()
    assert len(job.errors) == 200
    assert job.summary["errors"] == 250
    assert "… et 50 autres erreurs." in client.get(response.url).content.decode()
