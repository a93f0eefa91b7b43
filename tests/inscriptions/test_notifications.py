"""E-mails of the pipeline: plain French, to the right people, only once the change is committed, in the background."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from inscriptions.enums import Availability
from inscriptions.models import StaffNotificationSettings
from inscriptions.services import change_status, submit_application
from inscriptions.workflow import Role, Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def session():
    campus = CampusPageFactory(title="Campus d’Aubervilliers", street_address="12 rue du Landy")
    formation = FormationPageFactory(parent=campus, title="Concepteur développeur d'applications")
    return SessionFactory(formation=formation, capacity=3)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus, email="equipe@aubervilliers.example")


@pytest.fixture
def learner():
    user = UserFactory(email="ines.n-diaye@exemple.fr")
    return LearnerFactory(user=user, first_name="Inès", last_name="N'Diaye")


@pytest.fixture
def application(session, learner):
    return ApplicationFactory(session=session, learner=learner)


def to(address):
    return [message for message in mail.outbox if address in message.to]


def assert_plain_text(message):
    for artefact in ("&#x27;", "&#39;", "&quot;", "&amp;", "&lt;", "&gt;", "{%", "{{"):
        assert artefact not in message.body, artefact
        assert artefact not in message.subject, artefact


def last_step(application, target, capture, **kwargs):
    """Take one step with the e-mails captured; returns the learner's messages."""
    mail.outbox.clear()
    with capture(execute=True):
        change_status(application, target, **kwargs)
    return to(application.learner.user.email)


@pytest.mark.parametrize(
    ("source", "target", "subject", "words"),
    [
        (Status.SUBMITTED, Status.ADMITTED, "une place vous attend", "vous êtes admis·e"),
        (Status.SUBMITTED, Status.WAITLISTED, "liste d’attente", "Votre candidature est sur la liste d’attente"),
        (Status.UNDER_REVIEW, Status.WITHDRAWN, "retirée", "postuler à nouveau"),
        (Status.ADMITTED, Status.ENROLLED, "inscrit·e", "12 rue du Landy"),
        (Status.COMPLETED, Status.CERTIFIED, "Félicitations", "certification"),
    ],
)
def test_the_learner_is_told_of_each_decision(
    application, staff, source, target, subject, words, django_capture_on_commit_callbacks
):
    move_to(application, source, actor=staff)
    messages = last_step(application, target, django_capture_on_commit_callbacks, role=Role.STAFF, actor=staff)
    assert len(messages) == 1
    message = messages[0]
    assert subject in message.subject
    assert message.subject.startswith("[Tremplin] ")
    assert message.body.startswith("Bonjour Inès,")
    assert words in message.body
    assert "Concepteur développeur d'applications" in message.body
    assert "http://testserver/mon-espace/" in message.body
    assert_plain_text(message)


def test_a_refusal_carries_the_staffs_word(application, staff, django_capture_on_commit_callbacks):
    comment = "La session demande le bac : l’équipe vous propose « Premiers pas » d'abord."
    messages = last_step(
        application,
        Status.REFUSED,
        django_capture_on_commit_callbacks,
        role=Role.STAFF,
        actor=staff,
        comment=comment,
    )
    assert len(messages) == 1
    assert "Réponse à votre candidature" in messages[0].subject
    assert comment in messages[0].body
    assert "n’a pas été retenue" in messages[0].body
    assert_plain_text(messages[0])


def test_closing_without_decision_comes_with_a_kind_apology(application, staff, django_capture_on_commit_callbacks):
    messages = last_step(application, Status.CLOSED, django_capture_on_commit_callbacks, role=Role.SYSTEM)
    assert len(messages) == 1
    assert "excuses" in messages[0].subject
    assert "sincèrement désolés" in messages[0].body
    assert "postuler à nouveau" in messages[0].body
    assert_plain_text(messages[0])


def test_submitting_is_acknowledged_to_the_learner_and_announced_to_the_campus_team(
    session, staff, learner, django_capture_on_commit_callbacks
):
    other_campus_staff = UserFactory(staff_of=CampusPageFactory(), email="ailleurs@campus.example")
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_application(
            learner, session, motivation="J’aime l’informatique.", availability=Availability.FULL
        )

    (acknowledgement,) = to(learner.user.email)
    assert "Nous avons bien reçu votre candidature" in acknowledgement.subject
    assert "Concepteur développeur d'applications" in acknowledgement.body
    assert_plain_text(acknowledgement)

    (announcement,) = to(staff.email)
    assert "Nouvelle candidature : Concepteur développeur d'applications" in announcement.subject
    assert "Inès N'Diaye a postulé" in announcement.body
    assert f"/{application.pk}/" in announcement.body
    assert_plain_text(announcement)
    assert to(other_campus_staff.email) == []


def test_starting_the_review_sends_nothing(application, staff, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application, Status.UNDER_REVIEW, role=Role.STAFF, actor=staff)
    assert mail.outbox == []


def test_the_campus_team_hears_of_withdrawals(application, staff, django_capture_on_commit_callbacks):
    move_to(application, Status.ADMITTED, actor=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application, Status.WITHDRAWN, role=Role.LEARNER, actor=application.learner.user)
    (message,) = to(staff.email)
    assert "Candidature retirée" in message.subject
    assert "Inès N'Diaye a retiré sa candidature" in message.body
    assert "Sa place a été libérée" in message.body
    assert_plain_text(message)


def test_staff_opt_outs_are_respected(session, learner, staff, django_capture_on_commit_callbacks):
    quiet = UserFactory(staff_of=session.campus, email="silence@aubervilliers.example")
    StaffNotificationSettings.objects.create(user=quiet, new_application=False, withdrawal=True)
    inactive = UserFactory(staff_of=session.campus, email="parti@aubervilliers.example", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_application(learner, session, motivation="Motivée", availability=Availability.FULL)
    assert len(to(staff.email)) == 1
    assert to(quiet.email) == []
    assert to(inactive.email) == []

    mail.outbox.clear()
    StaffNotificationSettings.objects.create(user=staff, withdrawal=False)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application, Status.WITHDRAWN, role=Role.LEARNER, actor=learner.user)
    assert to(staff.email) == []
    assert len(to(quiet.email)) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(application, staff, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        change_status(application, Status.ADMITTED, role=Role.STAFF, actor=staff)
        raise RuntimeError("la suite a échoué")
    assert callbacks == []
    assert mail.outbox == []
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


@override_settings(TASKS=DATABASE_TASKS)
def test_e_mails_are_queued_as_tasks_and_sent_by_the_worker(
    application, staff, django_capture_on_commit_callbacks, monkeypatch
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change = change_status(application, Status.ADMITTED, role=Role.STAFF, actor=staff)

    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "inscriptions.notifications.notify_status_change"
    assert queued.status == "READY"
    assert queued.args_kwargs == {"args": [change.pk], "kwargs": {}}
    assert mail.outbox == []

    # As Django's test case does for requests: the test's transaction must outlive the worker's connection checks.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    (message,) = to(application.learner.user.email)
    assert "une place vous attend" in message.subject


@override_settings(TASKS=DATABASE_TASKS)
def test_nothing_is_queued_before_the_commit(application, staff):
    change_status(application, Status.ADMITTED, role=Role.STAFF, actor=staff)
    assert not DBTaskResult.objects.exists()
    assert mail.outbox == []


def test_a_guardian_is_asked_for_consent_when_a_minor_applies(session, django_capture_on_commit_callbacks):
    minor = LearnerFactory(minor=True, first_name="Noé", guardian_email="maman@famille.example")
    with django_capture_on_commit_callbacks(execute=True):
        submit_application(minor, session, motivation="J’ai 17 ans et je veux coder.", availability=Availability.FULL)
    (request,) = to("maman@famille.example")
    assert "Noé" not in request.subject
    assert "Noé a besoin de l’accord" in request.body or "Noé souhaite" in request.body
    assert "http://testserver/inscriptions/accord-parental/" in request.body
    assert_plain_text(request)
