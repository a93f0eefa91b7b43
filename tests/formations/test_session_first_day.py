"""Staff say, in the session's admin form, where the training takes place and what the first day holds; without
a place of its own, a session is at its campus's address."""

import pytest
from django.urls import reverse

from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory, session_form_data

PLACE = "5 rue Réaumur, 93300 Aubervilliers"
FIRST_DAY = "Arrivez à 9 h : Samia vous accueille.\nApportez une pièce d’identité."


@pytest.fixture
def session():
    return SessionFactory()


def test_the_edit_form_asks_for_the_place_and_the_first_day_and_saves_them(client, session):
    client.force_login(UserFactory(staff_of=session.campus))
    url = reverse("sessions:edit", args=[session.pk])

    page = client.get(url).content.decode()
    assert "Le premier jour" in page
    assert 'name="venue_address"' in page and 'name="first_day_details"' in page

    response = client.post(url, session_form_data(session, venue_address=PLACE, first_day_details=FIRST_DAY))

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.venue_address, session.first_day_details) == (PLACE, FIRST_DAY)
    assert session.address == PLACE


def test_without_a_place_of_its_own_a_session_is_at_its_campus(session):
    campus = session.campus
    campus.street_address, campus.postcode, campus.commune = "12 rue du Landy", "93300", "Aubervilliers"
    campus.save()

    assert session.address == "12 rue du Landy, 93300 Aubervilliers"
