"""Real concurrent decisions on PostgreSQL: the row locks keep the seats right, whatever the timing."""

import threading

import pytest
from django.db import connection

from formations.models import Session
from inscriptions.enums import Availability
from inscriptions.models import Application
from inscriptions.services import Refused, change_status, submit_application
from inscriptions.workflow import HOLDS_SEAT, Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to
from tests.private_postgres import wait_for_free_connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOIN_TIMEOUT = 60


def run_together(actions):
    """Run each action in its own thread, released at the same instant. Returns (results, unexpected errors)."""
    wait_for_free_connections(len(actions))
    barrier = threading.Barrier(len(actions), timeout=JOIN_TIMEOUT)
    results, errors = [None] * len(actions), []

    def worker(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Refused as refused:
            results[index] = refused
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "threads still running: a lock never came back"
    return results, errors


def seats_match(session):
    session = Session.objects.get(pk=session.pk)
    holding = Application.objects.filter(session=session, status__in=HOLDS_SEAT).count()
    assert session.seats_taken == holding
    return holding


@pytest.mark.parametrize("actor_kind", ["superuser", "campus staff"])
def test_fifty_simultaneous_admissions_fill_five_seats_and_waitlist_the_rest(actor_kind):
    session = SessionFactory(capacity=5)
    actor = UserFactory(superuser=True) if actor_kind == "superuser" else UserFactory(staff_of=session.campus)
    applications = [ApplicationFactory(session=session) for _ in range(50)]

    def admit(application):
        return lambda: change_status(application, Status.ADMITTED, role=Role.STAFF, actor=actor)

    results, errors = run_together([admit(application) for application in applications])

    assert errors == []
    assert not any(isinstance(result, Refused) for result in results)
    statuses = list(Application.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(Status.ADMITTED) == 5
    assert statuses.count(Status.WAITLISTED) == 45
    assert Session.objects.get(pk=session.pk).seats_taken == 5
    assert seats_match(session) == 5
    positions = sorted(a.waitlist_position for a in Application.objects.filter(status=Status.WAITLISTED))
    assert positions == list(range(1, 46))


def test_simultaneous_withdrawals_and_admissions_keep_the_seat_counter_right():
    session = SessionFactory(capacity=5)
    staff = UserFactory(staff_of=session.campus)
    admitted = [move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff) for _ in range(5)]
    waitlisted = [move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff) for _ in range(5)]
    submitted = [ApplicationFactory(session=session) for _ in range(10)]
    assert seats_match(session) == 5

    def withdraw(application):
        return lambda: change_status(application, Status.WITHDRAWN, role=Role.LEARNER, actor=application.learner.user)

    def admit(application):
        return lambda: change_status(application, Status.ADMITTED, role=Role.STAFF, actor=staff)

    actions = [withdraw(a) for a in admitted] + [withdraw(a) for a in waitlisted[3:]] + [admit(a) for a in submitted]
    assert len(actions) == 17
    actions += [admit(a) for a in waitlisted[:3]]  # may find the session full: refused, which is fine
    results, errors = run_together(actions)

    assert errors == []
    assert seats_match(session) == 5
    assert Application.objects.filter(session=session, status=Status.WITHDRAWN).count() == 7
    # Everyone left is either holding a seat or waiting for one.
    remaining = Application.objects.filter(session=session).exclude(status=Status.WITHDRAWN)
    assert set(remaining.values_list("status", flat=True)) <= {Status.ADMITTED, Status.WAITLISTED}


def test_two_simultaneous_submissions_create_a_single_application():
    session = SessionFactory()
    for _ in range(5):
        learner = LearnerFactory()

        def submit(learner=learner):
            return submit_application(
                learner, session, motivation="Je veux apprendre.", availability=Availability.FULL
            )

        results, errors = run_together([submit, submit])

        assert errors == []
        assert Application.objects.filter(learner=learner, session=session).count() == 1
        assert sum(isinstance(result, Refused) for result in results) == 1
        assert Application.objects.get(learner=learner).history.count() == 1


def test_freeing_seats_in_two_sessions_sharing_their_waitlist_does_not_deadlock():
    """The same people wait for two sessions, in opposite orders: each promotion must not lock the other's learners."""
    first, second = SessionFactory(capacity=1), SessionFactory(capacity=1)
    staff = UserFactory(superuser=True)
    for _ in range(3):
        leaving = [
            move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff) for session in (first, second)
        ]
        learners = [LearnerFactory() for _ in range(30)]
        for session, order in ((first, learners), (second, learners[::-1])):
            for learner in order:
                move_to(ApplicationFactory(session=session, learner=learner), Status.WAITLISTED, actor=staff)

        def withdraw(application):
            return lambda: change_status(application, Status.WITHDRAWN, role=Role.STAFF, actor=staff)

        results, errors = run_together([withdraw(application) for application in leaving])

        assert errors == []
        assert seats_match(first) == 1 and seats_match(second) == 1
