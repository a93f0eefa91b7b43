"""Rows that would replace what the staff recorded, or what the learner answered: shown on the preview, kept unless
the staff choose the file, row by row or all at once, in a plain form that needs no JavaScript."""

import datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import FollowUpMilestone, FollowUpSource, Placement
from inscriptions.models import FollowUp
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory
from tests.transferts.test_import_reading import csv_bytes
from tests.transferts.test_import_views import SpyTask
from transferts import tasks
from transferts import views as import_views
from transferts.models import DataJob

HEADER = ["n° de candidature", "moment", "situation", "employeur ou organisme"]


class FormReader(HTMLParser):
    """What a browser without JavaScript sends from a form: its fields, and the button pressed."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside = action, False
        self.fields, self.checkboxes, self.buttons = {}, {}, {}
        self.button = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("action") == self.action:
            self.inside = True
        elif self.inside and tag == "input" and attrs.get("type") == "checkbox":
            self.checkboxes[attrs["id"]] = (attrs["name"], attrs["value"], "checked" in attrs)
        elif self.inside and tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif self.inside and tag == "button":
            self.button = attrs

    def handle_data(self, data):
        if self.button is not None and data.strip():
            self.buttons[data.strip()] = self.button
            self.button = None

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False

    def submission(self, button, tick=()):
        data = {name: [value] for name, value in self.fields.items()}
        for checkbox_id, (name, value, checked) in self.checkboxes.items():
            if checked or checkbox_id in tick:
                data.setdefault(name, []).append(value)
        pressed = self.buttons[button]
        if pressed.get("name"):
            data[pressed["name"]] = [pressed.get("value", "")]
        return data


def read_form(page, job):
    reader = FormReader(reverse("imports:confirm", args=[job.pk]))
    reader.feed(page)
    return reader


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def staff(client, session):
    user = UserFactory(staff_of=session.campus)
    client.force_login(user)
    return user


def left_training(session):
    return ApplicationFactory(
        session=session, status=Status.COMPLETED, left_on=timezone.localdate() - datetime.timedelta(days=400)
    )


@pytest.fixture
def applications(session):
    """Three people who left: the first two with an exit follow-up the staff recorded, the third with an import."""
    colleague = UserFactory(first_name="Marie", last_name="Dupont")
    people = [left_training(session) for _ in range(3)]
    for application in people[:2]:
        FollowUpFactory(
            application=application, placement=Placement.ALTERNANCE, employer="Orange", recorded_by=colleague
        )
    FollowUpFactory(application=people[2], placement=Placement.JOB_SEEKING, employer="", source=FollowUpSource.IMPORT)
    return people


def upload(client, applications):
    rows = [HEADER, *([str(application.pk), "sortie", "CDI", "La Poste"] for application in applications)]
    client.post(
        reverse("imports:start"), {"kind": "suivis", "file": SimpleUploadedFile("suivis.csv", csv_bytes(rows))}
    )
    job = DataJob.objects.get()
    return job, client.get(reverse("imports:job", args=[job.pk])).content.decode()


def exit_follow_up(application):
    return FollowUp.objects.get(application=application, milestone=FollowUpMilestone.EXIT)


def test_the_preview_shows_each_conflict_with_what_is_recorded_and_what_the_file_says(client, staff, applications):
    job, page = upload(client, applications)

    assert job.state == DataJob.State.PREVIEW
    assert '<dd id="count-conflicts">2</dd>' in page
    assert '<dd id="count-updated">1</dd>' in page
    assert "2 lignes en conflit avec ce qui est enregistré" in page
    for line, application in ((2, applications[0]), (3, applications[1])):
        assert f'<th scope="row">{line}</th>' in page
        assert f"n° {application.pk} – À la sortie" in page
    assert "Alternance ou apprentissage · Orange" in page
    assert "Saisi par l’équipe (Marie Dupont), le " in page
    assert "CDI · La Poste" in page
    assert "en conflit : valeur enregistrée gardée" in page
    form = read_form(page, job)
    assert [checked for _name, _value, checked in form.checkboxes.values()] == [False, False]
    assert set(form.buttons) == {"Confirmer l’import", "Confirmer en remplaçant tout par le fichier"}


def test_confirming_without_choosing_keeps_what_is_recorded_and_says_how_many(client, staff, applications):
    job, page = upload(client, applications)

    client.post(reverse("imports:confirm", args=[job.pk]), read_form(page, job).submission("Confirmer l’import"))

    job.refresh_from_db()
    assert job.state == DataJob.State.DONE
    assert (job.summary["kept"], job.summary["replaced"], job.summary["updated"]) == (2, 0, 1)
    for application in applications[:2]:
        assert (exit_follow_up(application).employer, exit_follow_up(application).source) == (
            "Orange",
            FollowUpSource.STAFF,
        )
    # An import over an import is an ordinary update.
    assert exit_follow_up(applications[2]).employer == "La Poste"
    done = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert '<dd id="count-kept">2</dd>' in done
    assert '<dd id="count-replaced">0</dd>' in done
    assert done.count("valeur enregistrée gardée") >= 2


def test_a_row_ticked_on_the_preview_replaces_that_value_only(client, staff, applications):
    job, page = upload(client, applications)

    form = read_form(page, job)
    client.post(reverse("imports:confirm", args=[job.pk]), form.submission("Confirmer l’import", tick=["replace-3"]))

    job.refresh_from_db()
    assert (job.summary["kept"], job.summary["replaced"]) == (1, 1)
    assert exit_follow_up(applications[0]).employer == "Orange"
    replaced = exit_follow_up(applications[1])
    assert (replaced.employer, replaced.placement, replaced.source, replaced.recorded_by) == (
        "La Poste",
        Placement.CDI,
        FollowUpSource.IMPORT,
        staff,
    )
    assert "remplacé par le fichier" in client.get(reverse("imports:job", args=[job.pk])).content.decode()


def test_the_second_button_replaces_every_conflicting_value(client, staff, applications):
    job, page = upload(client, applications)

    client.post(
        reverse("imports:confirm", args=[job.pk]),
        read_form(page, job).submission("Confirmer en remplaçant tout par le fichier"),
    )

    job.refresh_from_db()
    assert (job.summary["kept"], job.summary["replaced"]) == (0, 2)
    assert {exit_follow_up(application).employer for application in applications} == {"La Poste"}


def test_a_choice_the_preview_did_not_offer_is_ignored(client, staff, applications):
    job, page = upload(client, applications)
    data = read_form(page, job).submission("Confirmer l’import")
    data["replace"] = [f"{applications[0].pk}:0:forged"]

    client.post(reverse("imports:confirm", args=[job.pk]), data)

    job.refresh_from_db()
    assert job.params["replace"] == []
    assert exit_follow_up(applications[0]).employer == "Orange"


def test_the_choice_travels_with_a_job_written_in_the_background(client, staff, applications, settings, monkeypatch):
    calls = []
    monkeypatch.setattr(
        import_views,
        "tasks",
        SimpleNamespace(
            preview_import=SpyTask(tasks.preview_import, calls), write_import=SpyTask(tasks.write_import, calls)
        ),
    )
    job, page = upload(client, applications)
    (key,) = [
        value
        for _name, value, _checked in read_form(page, job).checkboxes.values()
        if value.startswith(f"{applications[0].pk}:")
    ]

    client.post(reverse("imports:confirm", args=[job.pk]), {"replace": [key]})

    assert calls[-1] == ("write_import", (job.pk,))
    job.refresh_from_db()
    assert job.params["replace"] == [key]
    assert job.state == DataJob.State.DONE
    assert exit_follow_up(applications[0]).employer == "La Poste"
    assert exit_follow_up(applications[1]).employer == "Orange"
