"""The daily housekeeping command."""

import datetime
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from inscriptions.management.commands.close_ended_trainings import Command as CloseEndedTrainings
from inscriptions.management.commands.process_pending_applications import Command
from inscriptions.models import Application
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to

# --- process_pending_applications ---------------------------------------------------------------


def waiting(session, days):
    return ApplicationFactory(session=session, submitted_at=timezone.now() - datetime.timedelta(days=days, hours=1))


def test_the_daily_command_closes_then_reminds_and_says_how_many(django_capture_on_commit_callbacks):
    session = SessionFactory()
    staff = UserFactory(staff_of=session.campus, email="equipe@campus.example")
    closed = waiting(session, 62)
    for days in (20, 15, 1):
        waiting(session, days)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("process_pending_applications", stdout=out)
    assert "Candidatures closes sans décision (plus de 61 jours) : 1." in out.getvalue()
    assert "Candidatures signalées aux équipes (plus de 14 jours) : 2." in out.getvalue()
    assert Application.objects.get(pk=closed.pk).status == Status.CLOSED
    # The application just closed is not in the reminder.
    (digest,) = [message for message in mail.outbox if staff.email in message.to]
    assert "2 candidatures attendent" in digest.subject

    out = StringIO()
    call_command("process_pending_applications", stdout=out)
    assert out.getvalue().count(": 0.") == 2


def test_the_daily_command_is_quiet_at_verbosity_zero():
    out = StringIO()
    call_command("process_pending_applications", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def test_the_daily_command_documents_its_cron_use():
    assert "cron" in Command.help
    assert "une fois par jour" in Command.help


# --- close_ended_trainings ----------------------------------------------------------------------


def ended_training(days_ago, formation):
    end_date = timezone.localdate() - datetime.timedelta(days=days_ago)
    session = SessionFactory(formation=formation, start_date=end_date - datetime.timedelta(days=60), end_date=end_date)
    return move_to(ApplicationFactory(session=session), Status.IN_TRAINING, actor=UserFactory(superuser=True))


def test_the_ended_trainings_command_closes_then_lists_and_says_how_many(django_capture_on_commit_callbacks):
    formation = SessionFactory().formation
    staff = UserFactory(staff_of=formation.get_parent().specific, email="equipe@campus.example")
    closed = ended_training(31, formation)
    ended_training(30, formation)
    ended_training(1, formation)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("close_ended_trainings", stdout=out)
    assert "Formations closes automatiquement (session finie depuis plus de 30 jours) : 1." in out.getvalue()
    assert "Formations finies signalées aux équipes (sortie à enregistrer) : 2." in out.getvalue()
    assert Application.objects.get(pk=closed.pk).status == Status.COMPLETED
    (digest,) = [message for message in mail.outbox if staff.email in message.to]
    assert "2 formations finies" in digest.subject

    out = StringIO()
    call_command("close_ended_trainings", stdout=out)
    assert "automatiquement (session finie depuis plus de 30 jours) : 0." in out.getvalue()


def test_the_ended_trainings_command_is_quiet_at_verbosity_zero():
    out = StringIO()
    call_command("close_ended_trainings", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def test_the_ended_trainings_command_documents_its_cron_use():
    assert "cron" in CloseEndedTrainings.help
    assert "une fois par jour" in CloseEndedTrainings.help
    assert "ENDED_TRAINING_GRACE_DAYS" in CloseEndedTrainings.help
