"""Trainings still "en formation" after their session ended: the team is told every day, then the system closes
them as completed, on the session's last day."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inscriptions.models import Application, StaffNotificationSettings
from inscriptions.services import Refused, close_ended_trainings, complete, remind_ended_trainings
from inscriptions.services import ended_trainings as ended_trainings_module
from inscriptions.workflow import Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to


def today():
    return timezone.localdate()


def session_ended(days_ago, **kwargs):
    end_date = today() - datetime.timedelta(days=days_ago)
    return SessionFactory(start_date=end_date - datetime.timedelta(days=90), end_date=end_date, **kwargs)


@pytest.fixture
def session():
    """A session that ended yesterday."""
    return session_ended(1)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus, email="equipe@campus-a.example")


@pytest.fixture
def superuser():
    return UserFactory(superuser=True)


@pytest.fixture
def in_training(superuser):
    """An application walked into training through the real pipeline, on the given session."""

    def make(session, **kwargs):
        return move_to(ApplicationFactory(session=session, **kwargs), Status.IN_TRAINING, actor=superuser)

    return make


def to(address):
    return [message for message in mail.outbox if address in message.to]


def reloaded(application):
    return Application.objects.get(pk=application.pk)


# --- The daily list -----------------------------------------------------------------------------


def test_each_team_gets_the_list_of_its_own_trainings_that_ended(
    session, staff, superuser, in_training, django_capture_on_commit_callbacks
):
    yasmine = in_training(session, learner=LearnerFactory(first_name="Yasmine", last_name="Haddad"))
    in_training(SessionFactory(formation=session.formation), learner=LearnerFactory(first_name="Encore"))
    left = move_to(
        in_training(session, learner=LearnerFactory(first_name="Partie")), Status.DROPPED_OUT, actor=superuser
    )
    other_session = session_ended(3)
    other_staff = UserFactory(staff_of=other_session.campus, email="equipe@campus-b.example")
    in_training(other_session, learner=LearnerFactory(first_name="Kevin"))
    quiet = UserFactory(staff_of=session.campus, email="silence@campus-a.example")
    StaffNotificationSettings.objects.create(user=quiet, follow_ups_digest=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_ended_trainings() == 2

    (digest,) = to(staff.email)
    assert "1 formation finie : sortie à enregistrer" in digest.subject
    assert "Yasmine Haddad" in digest.body
    assert f"http://testserver/admin/candidatures/{yasmine.pk}/" in digest.body
    assert f"session finie le {session.end_date:%d/%m/%Y}" in digest.body
    closes_on = session.end_date + datetime.timedelta(days=31)
    assert f"close automatiquement le {closes_on:%d/%m/%Y}" in digest.body
    assert "Encore" not in digest.body and "Partie" not in digest.body and "Kevin" not in digest.body
    assert "&#x27;" not in digest.body
    (other_digest,) = to(other_staff.email)
    assert "Kevin" in other_digest.body and "Yasmine" not in other_digest.body
    assert to(quiet.email) == []
    assert reloaded(left).status == Status.DROPPED_OUT


def test_the_list_goes_to_the_team_of_the_sessions_campus(
    session, staff, in_training, django_capture_on_commit_callbacks
):
    application = in_training(session)
    # A copy of the campus left behind on the application does not send the list elsewhere.
    Application.objects.filter(pk=application.pk).update(campus=SessionFactory().campus)

    with django_capture_on_commit_callbacks(execute=True):
        remind_ended_trainings()

    assert len(to(staff.email)) == 1


def test_no_list_when_every_exit_is_recorded(session, superuser, in_training, django_capture_on_commit_callbacks):
    move_to(in_training(session), Status.COMPLETED, actor=superuser)

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_ended_trainings() == 0

    assert mail.outbox == []


def test_the_list_takes_the_same_few_queries_for_one_or_many(
    session, in_training, staff, django_capture_on_commit_callbacks
):
    def queries_for_a_run():
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            remind_ended_trainings()
        return len(queries)

    in_training(session)
    one = queries_for_a_run()
    for _ in range(4):
        in_training(session)
    assert queries_for_a_run() == one
    assert "5 formations finies" in to(staff.email)[0].subject


# --- Closing after the grace period ---------------------------------------------------------------


def test_nothing_is_closed_within_the_grace_period(in_training):
    application = in_training(session_ended(30))

    assert close_ended_trainings() == 0

    assert reloaded(application).status == Status.IN_TRAINING


def test_after_the_grace_period_the_training_is_completed_on_the_sessions_last_day(in_training):
    session = session_ended(31)
    application = in_training(session)
    seats_before = session.applications.count()

    assert close_ended_trainings() == 1

    application = reloaded(application)
    assert application.status == Status.COMPLETED
    assert application.left_on == session.end_date
    change = application.history.last()
    assert (change.from_status, change.to_status, change.role, change.actor) == (
        Status.IN_TRAINING,
        Status.COMPLETED,
        Role.SYSTEM,
        None,
    )
    assert change.comment == (
        f"Formation close automatiquement : la session s’est terminée le {session.end_date:%d/%m/%Y} "
        "et personne n’a enregistré la sortie."
    )
    session.refresh_from_db()
    assert session.seats_taken == seats_before


def test_a_second_run_does_nothing(in_training):
    application = in_training(session_ended(40))
    assert close_ended_trainings() == 1
    history = list(application.history.values_list("pk", flat=True))

    assert close_ended_trainings() == 0

    assert list(application.history.values_list("pk", flat=True)) == history


@pytest.mark.parametrize("exit_status", [Status.COMPLETED, Status.DROPPED_OUT, Status.CERTIFIED])
def test_a_learner_whose_exit_was_recorded_is_left_alone(in_training, superuser, exit_status):
    application = move_to(in_training(session_ended(60)), exit_status, actor=superuser)
    before = reloaded(application)
    history = list(application.history.values_list("pk", flat=True))

    assert close_ended_trainings() == 0

    after = reloaded(application)
    assert (after.status, after.left_on, after.status_changed_at) == (
        before.status,
        before.left_on,
        before.status_changed_at,
    )
    assert list(application.history.values_list("pk", flat=True)) == history


@override_settings(ENDED_TRAINING_GRACE_DAYS=7)
def test_the_grace_period_is_a_setting(in_training):
    old, young = in_training(session_ended(8)), in_training(session_ended(7))

    assert close_ended_trainings() == 1

    assert reloaded(old).status == Status.COMPLETED
    assert reloaded(young).status == Status.IN_TRAINING


def test_a_run_stopped_halfway_keeps_what_it_did_and_the_next_one_finishes(in_training, monkeypatch):
    first, second, third = (in_training(session_ended(days)) for days in (50, 45, 40))
    real_complete = ended_trainings_module.complete
    calls = []

    def killed_at_the_second(application, **kwargs):
        calls.append(application.pk)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_complete(application, **kwargs)

    monkeypatch.setattr(ended_trainings_module, "complete", killed_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        close_ended_trainings()
    assert [reloaded(a).status for a in (first, second, third)] == [Status.COMPLETED, *[Status.IN_TRAINING] * 2]

    monkeypatch.setattr(ended_trainings_module, "complete", real_complete)
    assert close_ended_trainings() == 2
    assert {reloaded(a).status for a in (first, second, third)} == {Status.COMPLETED}
    assert reloaded(first).history.filter(to_status=Status.COMPLETED).count() == 1


def test_the_system_never_closes_a_training_whose_session_is_not_over(in_training):
    application = in_training(SessionFactory(past=True))

    with pytest.raises(Refused, match="pas finie"):
        complete(application, role=Role.SYSTEM)

    assert reloaded(application).status == Status.IN_TRAINING


def test_the_staff_still_record_the_exit_on_the_day_they_do(in_training, superuser):
    application = in_training(session_ended(40))

    complete(application, role=Role.STAFF, actor=superuser)

    assert reloaded(application).left_on == today()


# --- The staff's list of applications --------------------------------------------------------------


def test_the_staff_list_filters_the_trainings_whose_exit_is_to_record(client, session, staff, superuser, in_training):
    ended = in_training(session)
    in_training(SessionFactory(formation=session.formation, past=True))
    move_to(in_training(session), Status.COMPLETED, actor=superuser)
    ApplicationFactory(session=session)
    client.force_login(staff)

    response = client.get(reverse("inscriptions_admin:index"), {"exit_to_record": "on"})

    assert list(response.context["object_list"]) == [ended]
    assert "Formation finie, sortie à enregistrer" in response.content.decode()
    assert len(client.get(reverse("inscriptions_admin:index")).context["object_list"]) == 4
