"""Nobody is left without an answer: campus teams are reminded, then the oldest applications are closed kindly."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from inscriptions.models import Application, StaffNotificationSettings
from inscriptions.services import close_abandoned_applications, remind_overdue_applications
from inscriptions.workflow import Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to


def days_ago(days, hours=0):
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


@pytest.fixture
def session():
    return SessionFactory()


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus, email="equipe@campus-a.example")


def waiting(session, days, **kwargs):
    return ApplicationFactory(session=session, submitted_at=days_ago(days, hours=1), **kwargs)


def to(address):
    return [message for message in mail.outbox if address in message.to]


def test_staff_are_reminded_once_of_applications_waiting_more_than_14_days(
    session, staff, django_capture_on_commit_callbacks
):
    overdue = waiting(session, 15, learner=LearnerFactory(first_name="Yasmine", last_name="Haddad"))
    in_review = move_to(waiting(session, 20), Status.UNDER_REVIEW, actor=staff)
    recent = waiting(session, 13)
    decided = move_to(waiting(session, 30), Status.ADMITTED, actor=staff)

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_applications() == 2

    reminded = set(Application.objects.filter(reminder_sent_at__isnull=False).values_list("pk", flat=True))
    assert reminded == {overdue.pk, in_review.pk}
    (digest,) = to(staff.email)
    assert "2 candidatures attendent une réponse depuis plus de 14 jours" in digest.subject
    assert "Yasmine Haddad" in digest.body
    assert "http://testserver/admin/" in digest.body
    assert "&#x27;" not in digest.body
    assert recent.pk not in reminded and decided.pk not in reminded

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_applications() == 0
    assert mail.outbox == []


def test_one_digest_per_campus_to_that_campus_only(session, staff, django_capture_on_commit_callbacks):
    other_session = SessionFactory()
    other_staff = UserFactory(staff_of=other_session.campus, email="equipe@campus-b.example")
    quiet = UserFactory(staff_of=session.campus, email="silence@campus-a.example")
    StaffNotificationSettings.objects.create(user=quiet, overdue_digest=False)
    waiting(session, 15, learner=LearnerFactory(first_name="Amine"))
    waiting(session, 16, learner=LearnerFactory(first_name="Chloé"))
    waiting(other_session, 17, learner=LearnerFactory(first_name="Kevin"))

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_applications() == 3

    (digest_a,) = to(staff.email)
    (digest_b,) = to(other_staff.email)
    assert "Amine" in digest_a.body and "Chloé" in digest_a.body and "Kevin" not in digest_a.body
    assert "Kevin" in digest_b.body and "Amine" not in digest_b.body
    assert to(quiet.email) == []
    assert len(mail.outbox) == 2


@override_settings(APPLICATION_REVIEW_REMINDER_DAYS=3)
def test_the_reminder_delay_is_a_setting(session, staff, django_capture_on_commit_callbacks):
    waiting(session, 4)
    waiting(session, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_applications() == 1
    (digest,) = to(staff.email)
    assert "plus de 3 jours" in digest.subject


def test_applications_waiting_more_than_61_days_are_closed_with_an_apology(
    session, staff, django_capture_on_commit_callbacks
):
    abandoned = waiting(session, 62)
    reviewed_too_long = move_to(waiting(session, 70), Status.UNDER_REVIEW, actor=staff)
    not_yet = waiting(session, 60)
    waitlisted = move_to(waiting(session, 90), Status.WAITLISTED, actor=staff)

    with django_capture_on_commit_callbacks(execute=True):
        assert close_abandoned_applications() == 2

    everyone = (abandoned, reviewed_too_long, not_yet, waitlisted)
    statuses = {a.pk: Application.objects.get(pk=a.pk).status for a in everyone}
    assert statuses == {
        abandoned.pk: Status.CLOSED,
        reviewed_too_long.pk: Status.CLOSED,
        not_yet.pk: Status.SUBMITTED,
        waitlisted.pk: Status.WAITLISTED,
    }
    change = Application.objects.get(pk=abandoned.pk).history.last()
    assert (change.role, change.actor) == (Role.SYSTEM, None)
    assert "délai" in change.comment
    (apology,) = to(abandoned.learner.user.email)
    assert "excuses" in apology.subject
    assert "sincèrement désolés" in apology.body
    assert len(to(reviewed_too_long.learner.user.email)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert close_abandoned_applications() == 0


@override_settings(APPLICATION_CLOSE_AFTER_DAYS=30)
def test_the_closing_delay_is_a_setting(session):
    old, young = waiting(session, 31), waiting(session, 29)
    assert close_abandoned_applications() == 1
    assert Application.objects.get(pk=old.pk).status == Status.CLOSED
    assert Application.objects.get(pk=young.pk).status == Status.SUBMITTED
