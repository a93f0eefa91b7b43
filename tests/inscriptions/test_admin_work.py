"""The staff's to-do lists and settings: follow-ups due, their own notifications, the dashboard panel."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from inscriptions import notifications, services
from inscriptions.enums import FollowUpMilestone
from inscriptions.models import StaffNotificationSettings
from inscriptions.workflow import Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, move_to

DUE = "inscriptions_admin:follow_ups_due"
SETTINGS = "inscriptions_admin:notifications"


@pytest.fixture
def session_a():
    return SessionFactory()


@pytest.fixture
def session_b():
    return SessionFactory()


@pytest.fixture
def staff_a(client, session_a):
    user = UserFactory(staff_of=session_a.campus)
    client.force_login(user)
    return user


def completed(session, actor, **learner):
    application = ApplicationFactory(session=session, **{f"learner__{key}": value for key, value in learner.items()})
    return move_to(application, Status.COMPLETED, actor=actor)


# --- Follow-ups due -----------------------------------------------------------------------------


def test_follow_ups_due_lists_the_campus_learners_without_their_follow_up(client, staff_a, session_a, session_b):
    due = completed(session_a, staff_a, last_name="Asuivre")
    done = completed(session_a, staff_a, last_name="Dejasuivi")
    FollowUpFactory(application=done, milestone=FollowUpMilestone.EXIT)
    completed(session_b, UserFactory(staff_of=session_b.campus), last_name="Autrecampus")

    response = client.get(reverse(DUE))

    assert response.status_code == 200
    groups = {group["milestone"]: [row[0] for row in group["rows"]] for group in response.context["milestones"]}
    assert groups == {
        FollowUpMilestone.EXIT: [due],
        FollowUpMilestone.SIX_MONTHS: [],
        FollowUpMilestone.TWELVE_MONTHS: [],
    }
    content = response.content.decode()
    assert reverse("inscriptions_admin:detail", args=[due.pk]) in content
    assert "Dejasuivi" not in content
    assert "Autrecampus" not in content


def test_follow_ups_due_at_six_months(client, staff_a, session_a):
    left_long_ago = completed(session_a, staff_a)
    FollowUpFactory(application=left_long_ago, milestone=FollowUpMilestone.EXIT)
    type(left_long_ago).objects.filter(pk=left_long_ago.pk).update(
        left_on=timezone.localdate() - datetime.timedelta(days=200)
    )

    groups = {group["milestone"]: group["rows"] for group in client.get(reverse(DUE)).context["milestones"]}

    assert [application for application, _due_on in groups[FollowUpMilestone.SIX_MONTHS]] == [left_long_ago]


def test_a_learner_cannot_see_follow_ups_due(client, session_a):
    application = ApplicationFactory(session=session_a)
    client.force_login(application.learner.user)

    assert client.get(reverse(DUE)).status_code == 403


# --- My notifications ---------------------------------------------------------------------------


def test_notification_settings_start_with_every_e_mail(client, staff_a):
    response = client.get(reverse(SETTINGS))

    assert response.status_code == 200
    form = response.context["form"]
    assert all(form.initial[name] for name in ["new_application", "withdrawal", "overdue_digest", "follow_ups_digest"])


def test_staff_save_their_notification_settings(client, staff_a):
    response = client.post(reverse(SETTINGS), {"new_application": "on", "overdue_digest": "on"})

    assert response.status_code == 302
    preferences = StaffNotificationSettings.objects.get(user=staff_a)
    assert (preferences.new_application, preferences.withdrawal, preferences.overdue_digest) == (True, False, True)
    assert preferences.follow_ups_digest is False

    client.post(reverse(SETTINGS), {"withdrawal": "on"})

    assert StaffNotificationSettings.objects.get(user=staff_a).withdrawal is True
    assert StaffNotificationSettings.objects.count() == 1


def test_notification_settings_are_respected(client, staff_a, session_a, django_capture_on_commit_callbacks):
    colleague = UserFactory(staff_of=session_a.campus)
    client.post(reverse(SETTINGS), {"new_application": "on"})
    assert notifications.staff_recipients(session_a.campus_id, "withdrawal") == [colleague]
    assert set(notifications.staff_recipients(session_a.campus_id, "new_application")) == {staff_a, colleague}
    application = ApplicationFactory(session=session_a)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(application, Status.WITHDRAWN, role=Role.LEARNER, actor=application.learner.user)

    staff_mails = [message for message in mail.outbox if "Candidature retirée" in message.subject]
    assert [message.to for message in staff_mails] == [[colleague.email]]


def test_the_account_page_links_to_my_notifications(client, staff_a):
    content = client.get(reverse("wagtailadmin_account")).content.decode()

    assert reverse(SETTINGS) in content


# --- Dashboard ----------------------------------------------------------------------------------


def test_the_dashboard_counts_the_campus_applications_waiting_for_an_answer(
    client, staff_a, session_a, session_b, settings
):
    settings.APPLICATION_REVIEW_REMINDER_DAYS = 14
    ApplicationFactory(session=session_a)
    ApplicationFactory(session=session_a, submitted_at=timezone.now() - datetime.timedelta(days=20))
    move_to(ApplicationFactory(session=session_a), Status.ADMITTED, actor=staff_a)
    ApplicationFactory.create_batch(3, session=session_b)

    content = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "2 candidatures attendent une réponse" in content
    assert "dont 1 sans réponse depuis plus de 14 jours" in content
