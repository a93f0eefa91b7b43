"""The weekly e-mail that tells each campus team which follow-ups are due."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from inscriptions.enums import FollowUpMilestone, Placement
from inscriptions.models import StaffNotificationSettings, add_months
from inscriptions.services import record_follow_up, send_follow_up_digests
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to


def months_ago(months):
    day = add_months(timezone.localdate(), -months)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def left_training(session, staff, months):
    application = move_to(ApplicationFactory(session=session), Status.IN_TRAINING, actor=staff, now=months_ago(months))
    return move_to(application, Status.COMPLETED, actor=staff, now=months_ago(months))


@pytest.fixture
def campus_a():
    session = SessionFactory(past=True)
    return session, UserFactory(staff_of=session.campus, email="equipe.a@campus.example")


@pytest.fixture
def campus_b():
    session = SessionFactory(past=True)
    return session, UserFactory(staff_of=session.campus, email="equipe.b@campus.example")


def test_each_campus_team_gets_the_count_of_its_own_due_follow_ups(
    campus_a, campus_b, django_capture_on_commit_callbacks
):
    (session_a, staff_a), (session_b, staff_b) = campus_a, campus_b
    seven_months = left_training(session_a, staff_a, 7)  # exit and 6-month follow-ups due
    record_follow_up(seven_months, FollowUpMilestone.EXIT, placement=Placement.INTERNSHIP, recorded_by=staff_a)
    left_training(session_a, staff_a, 1)  # exit due
    left_training(session_b, staff_b, 13)  # all three due
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        counts = send_follow_up_digests()

    assert counts == {
        session_a.campus_id: {FollowUpMilestone.EXIT: 1, FollowUpMilestone.SIX_MONTHS: 1},
        session_b.campus_id: {
            FollowUpMilestone.EXIT: 1,
            FollowUpMilestone.SIX_MONTHS: 1,
            FollowUpMilestone.TWELVE_MONTHS: 1,
        },
    }
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"equipe.a@campus.example", "equipe.b@campus.example"}
    body_a = by_recipient["equipe.a@campus.example"].body
    assert by_recipient["equipe.a@campus.example"].subject == "[Tremplin] 2 suivis de sortie à faire"
    assert "- À la sortie : 1" in body_a and "- À 6 mois : 1" in body_a and "À 12 mois" not in body_a
    assert "/admin/candidatures/" in body_a


def test_staff_who_opted_out_of_the_digest_get_nothing(campus_a, django_capture_on_commit_callbacks):
    session, staff = campus_a
    left_training(session, staff, 1)
    StaffNotificationSettings.objects.create(user=staff, follow_ups_digest=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_follow_up_digests()
    assert mail.outbox == []


def test_nothing_is_sent_when_no_follow_up_is_due(campus_a, django_capture_on_commit_callbacks):
    session, staff = campus_a
    move_to(ApplicationFactory(session=session), Status.IN_TRAINING, actor=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_follow_up_digests() == {}
    assert mail.outbox == []


def test_the_weekly_command_sends_the_digests(campus_a, capsys, django_capture_on_commit_callbacks):
    session, staff = campus_a
    left_training(session, staff, 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_follow_up_digest")
    assert "Campus prévenus : 1." in capsys.readouterr().out
    assert len(mail.outbox) == 1
