"""Staff type a session's dates the French way in the admin, in Chromium: Wagtail's picker keeps what was typed, the
server reads it, and what it cannot read is an error on the field, never today's date in its place."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from formations.models import Session
from tests.accessibility import Auditor
from tests.campus.factories import UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 900}
STAFF_PASSWORD = "mot-de-passe-du-campus-2026"


@pytest.fixture
def formation(campus_index):
    from tests.campus.factories import CampusPageFactory

    campus = CampusPageFactory(parent=campus_index, title="Campus numérique d'Aubervilliers")
    return FormationPageFactory(parent=campus, title="Développeur web et web mobile")


@pytest.fixture
def staff(formation):
    user = UserFactory(staff_of=formation.campus, password=STAFF_PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def page(new_context, live_server, staff):
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("E-mail").fill(staff.email)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    return page


def type_and_leave(page, name, text):
    field = page.locator(f"#id_{name}")
    field.click()
    field.fill("")
    field.press_sequentially(text)
    page.locator("#id_capacity").click()  # leaving the field is what made the picker replace it


def fill_new_session(page, live_server, formation, start):
    page.goto(f"{live_server.url}/admin/sessions/new/")
    page.locator("#id_formation").select_option(label=formation.title)
    type_and_leave(page, "start_date", start)
    type_and_leave(page, "end_date", "30/06/2027")
    type_and_leave(page, "application_deadline", "15/12/2026")
    page.locator("#id_capacity").fill("12")
    page.locator("#id_price_cents").fill("50")


def save(page):
    page.get_by_role("button", name=re.compile(r"^(Créer|Enregistrer)$")).first.click()


@pytest.mark.parametrize("start", ["04/01/2027", "4 janvier 2027"])
def test_a_start_date_typed_the_french_way_is_kept(page, live_server, formation, start):
    fill_new_session(page, live_server, formation, start)

    expect(page.locator("#id_start_date")).to_have_value(start)
    save(page)

    expect(page).to_have_url(f"{live_server.url}/admin/sessions/")
    session = Session.objects.get()
    assert session.start_date == datetime.date(2027, 1, 4)
    assert session.end_date == datetime.date(2027, 6, 30)
    assert session.price_cents == 5000
    # The list shows the dates, not a time ago.
    expect(page.get_by_role("cell", name="04/01/2027", exact=True)).to_be_visible()


def test_a_date_that_cannot_be_read_is_an_error_on_the_field_and_nothing_is_saved(page, live_server, formation):
    fill_new_session(page, live_server, formation, "demain matin")

    # Left alone by the picker: the text is still what was typed, not today's date.
    expect(page.locator("#id_start_date")).to_have_value("demain matin")
    save(page)

    expect(page.get_by_text("Saisissez une date comme 04/01/2027.")).to_be_visible()
    expect(page.locator("#id_start_date")).to_have_value("demain matin")
    assert not Session.objects.exists()


def test_the_sessions_people_page_has_no_wcag_violation(new_context, page, live_server, formation):
    session = SessionFactory(formation=formation)
    ApplicationFactory(session=session)
    auditor = Auditor(new_context(viewport=DESKTOP, bypass_csp=True))
    page.goto(f"{live_server.url}/admin/sessions/")
    auditor.check("sessions", page)
    page.goto(f"{live_server.url}/admin/sessions/edit/{session.pk}/")
    auditor.check("session", page)
    page.goto(f"{live_server.url}/admin/candidatures/sessions/{session.pk}/personnes/")
    expect(page.get_by_role("heading", level=1, name="Personnes de la session")).to_be_visible()
    auditor.check("personnes", page)

    assert auditor.violations == {"sessions": [], "session": [], "personnes": []}
