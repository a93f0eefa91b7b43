"""A session that moves to another campus takes its applications along: the new campus's staff see them, the
old campus's staff no longer do."""

import pytest
from django.urls import reverse

from formations.models import Session
from inscriptions.models import Application
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory

INDEX = "inscriptions_admin:index"


@pytest.fixture
def session():
    return SessionFactory()


@pytest.fixture
def applications(session):
    return [ApplicationFactory(session=session), ApplicationFactory(session=session)]


@pytest.fixture
def other_campus():
    return CampusPageFactory()


def listed_for(client, campus):
    client.force_login(UserFactory(staff_of=campus))
    return set(client.get(reverse(INDEX)).context["object_list"])


def test_a_session_given_a_formation_of_another_campus_takes_its_applications_along(
    client, session, applications, other_campus
):
    old_campus = session.campus
    untouched = ApplicationFactory()

    session.formation = FormationPageFactory(parent=other_campus)
    session.save()

    assert {application.campus_id for application in Application.objects.filter(session=session)} == {other_campus.pk}
    assert listed_for(client, other_campus) == set(applications)
    assert listed_for(client, old_campus) == set()
    assert Application.objects.get(pk=untouched.pk).campus_id == untouched.session.campus_id


def test_a_formation_page_moved_to_another_campus_takes_its_sessions_applications_along(
    client, session, applications, other_campus
):
    old_campus = session.campus

    session.formation.move(other_campus, pos="last-child")

    assert Session.objects.get(pk=session.pk).campus_id == other_campus.pk
    assert set(Application.objects.filter(campus=other_campus)) == set(applications)
    assert listed_for(client, other_campus) == set(applications)
    assert listed_for(client, old_campus) == set()


def test_saving_a_session_without_moving_it_leaves_its_applications_where_they_are(session, applications):
    session.capacity = 20
    session.save()

    assert set(Application.objects.filter(campus=session.campus)) == set(applications)
