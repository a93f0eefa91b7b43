"""A learner who accepted the previous privacy notice is asked to accept the new one, on a 320-px phone without JS,
then goes on to the page she wanted."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.accessibility import Auditor
from tests.browsing import browsing_and_auditing
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import LearnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARROW_PHONE = {"width": 320, "height": 640}


@pytest.fixture
def old_learner():
    return LearnerFactory(first_name="Awa", consent_version="2026-12")


@pytest.fixture
def open_session(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus d’Aubervilliers")
    formation = FormationPageFactory(parent=campus, title="Technicien·ne d’assistance informatique")
    return SessionFactory(formation=formation, capacity=2)


@pytest.fixture
def contexts(new_context, live_server, old_learner):
    """The learner's phone (JavaScript off, already logged in), and an auditor's context for axe."""
    return browsing_and_auditing(new_context, live_server, old_learner.user, NARROW_PHONE)


def test_old_version_learner_reads_what_changed_accepts_and_lands_where_she_wanted(
    contexts, live_server, old_learner, open_session
):
    page, auditor = contexts[0].new_page(), Auditor(contexts[1])
    apply_path = reverse("inscriptions:postuler", args=[open_session.pk])

    page.goto(f"{live_server.url}{apply_path}")
    expect(page.get_by_role("heading", level=1, name="Notre notice de confidentialité change")).to_be_visible()
    expect(page.get_by_text("l’équipe du campus note vos présences", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Supprimer mon compte")).to_be_visible()
    assert urlsplit(page.url).path == reverse("inscriptions:accepter_notice")
    auditor.check("nouvelle notice à accepter", page)

    # The whole notice, on the same narrow screen: its tables stack instead of overflowing.
    page.get_by_role("link", name="Lire toute la notice de confidentialité").click()
    expect(page.get_by_role("heading", level=1, name="Vos données et la confidentialité")).to_be_visible()
    expect(page.get_by_role("table", name="Durées de conservation")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    auditor.check("notice", page)
    page.go_back()

    page.get_by_role("button", name="J’ai lu et j’accepte").click()

    expect(page.get_by_role("heading", level=1, name="Votre candidature")).to_be_visible()
    expect(page.get_by_text("Merci : vous avez accepté la nouvelle version de la notice.")).to_be_visible()
    assert urlsplit(page.url).path == apply_path
    auditor.check("candidature après l’accord", page)
    old_learner.refresh_from_db()
    assert old_learner.consent_version == settings.PRIVACY_NOTICE_VERSION

    assert auditor.violations == dict.fromkeys(
        ["nouvelle notice à accepter", "notice", "candidature après l’accord"], []
    )
