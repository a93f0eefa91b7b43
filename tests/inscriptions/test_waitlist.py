"""A full session keeps a queue: first come, first served, and a freed seat goes to the first in line."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from formations.models import Session
from inscriptions.enums import GuardianConsentMethod
from inscriptions.models import Application
from inscriptions.services import (
    Refused,
    change_status,
    offer_new_seats,
    promote_waitlist_for,
    record_guardian_consent,
)
from inscriptions.workflow import HOLDS_SEAT, Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory, session_form_data
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

START = timezone.now() - datetime.timedelta(days=3)


def at(minutes):
    """Distinct, increasing times, so the queue order does not depend on the clock's resolution."""
    return START + datetime.timedelta(minutes=minutes)


@pytest.fixture
def session():
    return SessionFactory(capacity=2)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus, email="equipe@campus.example")


def admit(application, staff, minutes):
    return change_status(application, Status.ADMITTED, role=Role.STAFF, actor=staff, now=at(minutes))


def fill(session, staff):
    """Two admitted and three waitlisted applications, in this order."""
    applications = [ApplicationFactory(session=session, submitted_at=at(0)) for _ in range(5)]
    for minute, application in enumerate(applications, start=1):
        admit(application, staff, minute)
    return applications


def seats(session):
    return Session.objects.get(pk=session.pk).seats_taken


def statuses(applications):
    return [Application.objects.get(pk=application.pk).status for application in applications]


def test_admitting_into_a_full_session_puts_on_the_waitlist_with_a_comment(session, staff):
    first, second, third = (ApplicationFactory(session=session) for _ in range(3))
    admit(first, staff, 1)
    admit(second, staff, 2)
    change = change_status(third, Status.ADMITTED, role=Role.STAFF, actor=staff, comment="Bon profil", now=at(3))

    assert third.status == Status.WAITLISTED
    assert (change.from_status, change.to_status) == (Status.SUBMITTED, Status.WAITLISTED)
    assert change.comment.startswith("Bon profil")
    assert "liste d’attente" in change.comment
    assert third.waitlisted_at == at(3)
    assert third.decided_at == at(3)
    assert seats(session) == 2


def test_the_waitlist_is_served_in_order_of_arrival_and_tells_each_their_position(session, staff):
    applications = fill(session, staff)
    waiting = applications[2:]
    assert statuses(applications) == [Status.ADMITTED] * 2 + [Status.WAITLISTED] * 3
    assert list(Application.objects.waitlist(session)) == waiting
    assert [Application.objects.get(pk=a.pk).waitlist_position for a in waiting] == [1, 2, 3]
    assert Application.objects.get(pk=applications[0].pk).waitlist_position is None


def test_same_time_on_the_waitlist_is_broken_by_arrival_order(session, staff):
    applications = [ApplicationFactory(session=session) for _ in range(3)]
    for application in applications:
        change_status(application, Status.WAITLISTED, role=Role.STAFF, actor=staff, now=at(1))
    positions = [Application.objects.get(pk=a.pk).waitlist_position for a in applications]
    assert positions == [1, 2, 3]


@pytest.mark.parametrize("leaving_from", [Status.ADMITTED, Status.ENROLLED])
def test_a_freed_seat_goes_to_the_first_in_line_who_is_told_by_e_mail(
    session, staff, leaving_from, django_capture_on_commit_callbacks
):
    applications = fill(session, staff)
    leaving, first_in_line = applications[0], applications[2]
    if leaving_from == Status.ENROLLED:
        change_status(leaving, Status.ENROLLED, role=Role.LEARNER, actor=leaving.learner.user, now=at(10))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change_status(leaving, Status.WITHDRAWN, role=Role.LEARNER, actor=leaving.learner.user, now=at(11))

    assert statuses(applications) == [
        Status.WITHDRAWN,
        Status.ADMITTED,
        Status.ADMITTED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    promotion = Application.objects.get(pk=first_in_line.pk).history.last()
    assert (promotion.from_status, promotion.to_status, promotion.role) == (
        Status.WAITLISTED,
        Status.ADMITTED,
        Role.SYSTEM,
    )
    assert promotion.actor is None
    assert "place s’est libérée" in promotion.comment
    assert seats(session) == 2
    assert [Application.objects.get(pk=a.pk).waitlist_position for a in applications[3:]] == [1, 2]

    promoted_mail = [message for message in mail.outbox if first_in_line.learner.user.email in message.to]
    assert len(promoted_mail) == 1
    assert "une place vous attend" in promoted_mail[0].subject


def test_leaving_the_waitlist_or_being_refused_frees_no_seat(session, staff):
    applications = fill(session, staff)
    change_status(applications[2], Status.WITHDRAWN, role=Role.STAFF, actor=staff)
    change_status(applications[3], Status.REFUSED, role=Role.STAFF, actor=staff, comment="Pas cette fois")
    assert statuses(applications) == [Status.ADMITTED] * 2 + [Status.WITHDRAWN, Status.REFUSED, Status.WAITLISTED]
    assert seats(session) == 2


def test_dropping_out_keeps_the_seat_counted(session, staff):
    applications = fill(session, staff)
    move_to(applications[0], Status.DROPPED_OUT, actor=staff)
    assert statuses(applications)[2:] == [Status.WAITLISTED] * 3
    assert seats(session) == 2


def test_no_promotion_once_the_session_has_started():
    session = SessionFactory(capacity=2, past=True)
    staff = UserFactory(staff_of=session.campus)
    applications = fill(session, staff)
    change_status(applications[0], Status.WITHDRAWN, role=Role.STAFF, actor=staff)
    assert statuses(applications) == [Status.WITHDRAWN, Status.ADMITTED] + [Status.WAITLISTED] * 3
    assert seats(session) == 1
    # The campus may still decide to take someone in.
    admit(applications[3], staff, 20)
    assert seats(session) == 2


def test_staff_cannot_admit_from_the_waitlist_while_the_session_is_full(session, staff):
    applications = fill(session, staff)
    with pytest.raises(Refused, match="complète"):
        change_status(applications[2], Status.ADMITTED, role=Role.STAFF, actor=staff)
    assert Application.objects.get(pk=applications[2].pk).waitlist_position == 1


def test_a_minor_waiting_for_consent_is_skipped_and_keeps_their_place(session, staff):
    applications = fill(session, staff)
    minor = ApplicationFactory(session=session, learner=LearnerFactory(minor=True))
    # A minor may be put on the waitlist before the consent arrives; they go first in the queue.
    change_status(minor, Status.WAITLISTED, role=Role.STAFF, actor=staff, now=at(0))
    assert Application.objects.get(pk=minor.pk).waitlist_position == 1

    change_status(applications[0], Status.WITHDRAWN, role=Role.STAFF, actor=staff)

    assert Application.objects.get(pk=minor.pk).status == Status.WAITLISTED
    assert Application.objects.get(pk=minor.pk).waitlist_position == 1
    assert statuses(applications)[2:] == [Status.ADMITTED, Status.WAITLISTED, Status.WAITLISTED]

    record_guardian_consent(minor.learner, method=GuardianConsentMethod.EMAIL)
    change_status(applications[1], Status.WITHDRAWN, role=Role.STAFF, actor=staff)
    assert Application.objects.get(pk=minor.pk).status == Status.ADMITTED
    assert statuses(applications)[3:] == [Status.WAITLISTED, Status.WAITLISTED]


def test_raising_the_capacity_offers_the_new_seats_to_the_waitlist(session, staff, django_capture_on_commit_callbacks):
    applications = fill(session, staff)
    session = Session.objects.get(pk=session.pk)
    session.capacity = 4
    with django_capture_on_commit_callbacks(execute=True):
        session.save()
        offer_new_seats(session)
    assert statuses(applications) == [Status.ADMITTED] * 4 + [Status.WAITLISTED]
    assert seats(session) == 4
    assert Application.objects.get(pk=applications[4].pk).waitlist_position == 1


def test_saving_a_session_loaded_before_a_decision_keeps_the_seat_counter(session, staff):
    stale = Session.objects.get(pk=session.pk)
    application = ApplicationFactory(session=session)
    admit(application, staff, 1)
    stale.schedule_details = "Le matin"
    stale.save()
    offer_new_seats(stale)
    assert stale.seats_taken == 1
    assert seats(session) == 1 == Application.objects.filter(session=session, status__in=HOLDS_SEAT).count()


def test_saving_a_session_without_new_seats_changes_nothing(session, staff, django_capture_on_commit_callbacks):
    applications = fill(session, staff)
    session = Session.objects.get(pk=session.pk)
    session.schedule_details = "Le matin"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        session.save()
        offer_new_seats(session)
    # Only the public pages are refreshed (the session's page shows it); nobody is told anything.
    assert [callback.__module__ for callback in callbacks] == ["home.page_cache"]
    assert statuses(applications) == [Status.ADMITTED] * 2 + [Status.WAITLISTED] * 3


def test_promote_waitlist_for_is_safe_to_call_when_nothing_is_free(session, staff):
    applications = fill(session, staff)
    assert promote_waitlist_for(session.pk) == []
    assert statuses(applications) == [Status.ADMITTED] * 2 + [Status.WAITLISTED] * 3
    assert Application.objects.filter(session=session, status__in=HOLDS_SEAT).count() == seats(session)


def test_staff_raising_the_capacity_in_the_admin_promotes_the_waitlist(
    session, staff, client, django_capture_on_commit_callbacks
):
    applications = fill(session, staff)
    client.force_login(staff)
    data = session_form_data(session, capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sessions:edit", args=[session.pk]), data)
    assert response.status_code == 302
    assert statuses(applications) == [Status.ADMITTED] * 3 + [Status.WAITLISTED] * 2
    assert seats(session) == 3
    promoted = Application.objects.get(pk=applications[2].pk).history.last()
    assert promoted.role == Role.SYSTEM
