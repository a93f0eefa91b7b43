"""Staff lowering a session's capacity while admissions go on: a form error that says why, never a server error."""

import pytest
from django.urls import reverse

from formations.models import Session
from inscriptions.models import Application
from inscriptions.services import change_status
from inscriptions.workflow import HOLDS_SEAT, Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory, session_form_data
from tests.inscriptions.factories import ApplicationFactory, move_to


@pytest.fixture
def session():
    return SessionFactory(capacity=5)


@pytest.fixture
def staff(session, client):
    user = UserFactory(staff_of=session.campus)
    client.force_login(user)
    return user


def admissions_while_the_form_is_checked(monkeypatch, applications, staff):
    """Admit these applications after the form has checked the capacity and before it saves: what another member of
    the team clicking at that moment does."""
    check = Session.clean

    def clean_then_admit(session):
        check(session)
        for application in applications:
            change_status(application, Status.ADMITTED, role=Role.STAFF, actor=staff)

    monkeypatch.setattr(Session, "clean", clean_then_admit)


def test_a_capacity_below_seats_taken_since_the_page_was_loaded_is_refused_with_the_count(
    client, session, staff, monkeypatch
):
    for _ in range(2):
        move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    admissions_while_the_form_is_checked(monkeypatch, [ApplicationFactory(session=session) for _ in range(2)], staff)

    response = client.post(reverse("sessions:edit", args=[session.pk]), session_form_data(session, capacity=3))

    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [
        "Il y a déjà 4 inscrit·es, la capacité ne peut pas descendre sous 4."
    ]
    session.refresh_from_db()
    assert (session.capacity, session.seats_taken) == (5, 4)
    assert Application.objects.filter(session=session, status__in=HOLDS_SEAT).count() == 4


def test_a_capacity_that_still_fits_is_saved_with_the_seats_counted_meanwhile(client, session, staff, monkeypatch):
    admissions_while_the_form_is_checked(monkeypatch, [ApplicationFactory(session=session) for _ in range(2)], staff)

    response = client.post(reverse("sessions:edit", args=[session.pk]), session_form_data(session, capacity=2))

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.capacity, session.seats_taken) == (2, 2)


def test_one_seat_taken_reads_in_the_singular(client, session, staff):
    move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    Session.objects.filter(pk=session.pk).update(capacity=1)
    session.refresh_from_db()
    session.capacity = 0
    with pytest.raises(Exception) as refused:
        session.full_clean()
    assert "Il y a déjà 1 inscrit·e, la capacité ne peut pas descendre sous 1." in str(refused.value)
