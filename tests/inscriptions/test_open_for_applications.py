"""One rule for « open for applications »: the catalogue, its « places » filter, the formation page, its
structured data and applying all say the same thing about a session, at every boundary of the rule."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import Availability
from inscriptions.models import Application
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import LearnerFactory

APPLICATION = {"motivation": "J’aime réparer les ordinateurs de ma famille.", "availability": Availability.FULL}
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


# (start, deadline, ticked, seats taken of 12) in days from today; then what everyone must say.
OPEN, WAITLIST, CLOSED = "Candidatures ouvertes", "Complet : liste d’attente", "Candidatures fermées"
BOUNDARIES = {
    "starts-in-a-month": ((30, 20, True, 0), OPEN),
    "starts-today": ((0, 0, True, 0), OPEN),
    "started-yesterday": ((-1, 5, True, 0), CLOSED),
    "started-two-days-ago-deadline-in-five": ((-2, 5, True, 0), CLOSED),
    "deadline-today": ((3, 0, True, 0), OPEN),
    "deadline-yesterday": ((3, -1, True, 0), CLOSED),
    "unticked": ((30, 20, False, 0), CLOSED),
    "one-seat-left": ((30, 20, True, 11), OPEN),
    "full-with-waitlist": ((30, 20, True, 12), WAITLIST),
}


@pytest.fixture
def learner(client):
    learner = LearnerFactory()
    client.force_login(learner.user)
    return learner


def card(content, title):
    cards = [card for card in content.split('<article class="card">')[1:] if f">{title}</a>" in card]
    assert len(cards) == 1
    return cards[0].split("</article>")[0]


@pytest.mark.parametrize(("session_values", "said"), BOUNDARIES.values(), ids=BOUNDARIES.keys())
def test_catalogue_filter_page_and_applying_agree(client, home_page, learner, session_values, said):
    start, deadline, ticked, taken = session_values
    formation = FormationPageFactory(parent=CampusPageFactory(), title="Développeur web")
    # A session seen from its start: the catalogue and the page list sessions from today on.
    session = SessionFactory(
        formation=formation,
        start_date=in_days(start),
        end_date=in_days(start + 90),
        application_deadline=in_days(deadline),
        applications_open=ticked,
        capacity=12,
        seats_taken=taken,
    )
    accepts = said != CLOSED

    assert session.is_open_for_applications() is accepts
    catalogue = reverse("formations:catalogue")
    listed = client.get(catalogue).content.decode()
    with_places = client.get(catalogue, {"places": "on"}).content.decode()
    page = client.get(formation.url).content.decode()
    apply_page = client.get(reverse("inscriptions:postuler", args=[session.pk])).content.decode()
    client.post(reverse("inscriptions:postuler", args=[session.pk]), APPLICATION)

    assert ("Les candidatures sont fermées pour cette session." not in apply_page) is accepts
    assert Application.objects.filter(session=session).exists() is accepts
    if start < 0:  # A session that has started is no longer shown anywhere: nobody is sent to apply.
        assert "Pas de session prévue pour l’instant" in card(listed, "Développeur web")
        assert "Candidatures" not in card(listed, "Développeur web")
        assert "Développeur web" not in with_places
        assert "Postuler" not in page
        return
    assert said in card(listed, "Développeur web")
    # « Places ouvertes »: open for applications, and a seat left.
    assert ("Développeur web" in with_places) is (said == OPEN)
    assert ("Postuler" in page) is accepts
    assert (said == WAITLIST) is ("Complet : liste d’attente" in page)
    offer = json.loads(JSON_LD.search(page).group(1))["hasCourseInstance"][0]["offers"]
    assert (
        offer["availability"]
        == {
            OPEN: "https://schema.org/InStock",
            WAITLIST: "https://schema.org/BackOrder",
            CLOSED: "https://schema.org/OutOfStock",
        }[said]
    )
    assert ("validThrough" in offer) is accepts
