"""Staff fill a week of attendance on a phone and read each person's hours and rate.

With JavaScript, as the Wagtail admin needs it on a narrow screen (its sidebar covers the page until its script
runs); the sheet itself is a plain form, posted without any script in test_attendance_admin.py.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import formats, translation
from playwright.sync_api import expect

from inscriptions.models import Attendance
from inscriptions.services import attendance
from inscriptions.workflow import Status
from tests.accessibility import Auditor
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory
from tests.inscriptions.test_journey_browser import PHONE, STAFF_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Each person's tick for each half-day of the week: (day of the week, part) → label.
PRESENT, ABSENT, EXCUSED = "Présent·e", "Absent·e", "Absence justifiée"


def ines_mark(weekday, part):
    return EXCUSED if (weekday, part) == (4, "apres_midi") else PRESENT


def karim_mark(weekday, part):
    return PRESENT if weekday < 2 else ABSENT


@pytest.fixture
def group(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus d’Aubervilliers")
    formation = FormationPageFactory(parent=campus, title="Développeur·se web")
    monday = attendance.week_of(datetime.date.today()) - datetime.timedelta(weeks=3)
    session = SessionFactory(formation=formation, start_date=monday, end_date=monday + datetime.timedelta(days=60))
    ines = ApplicationFactory(
        session=session,
        status=Status.IN_TRAINING,
        started_on=monday,
        learner__first_name="Inès",
        learner__last_name="Moreau",
    )
    karim = ApplicationFactory(
        session=session,
        status=Status.IN_TRAINING,
        started_on=monday,
        learner__first_name="Karim",
        learner__last_name="Benali",
    )
    staff = UserFactory(staff_of=campus, password=STAFF_PASSWORD)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    return session, ines, karim, staff


def test_staff_fill_a_week_of_attendance_on_a_phone(new_context, live_server, group):
    session, ines, karim, staff = group
    auditor = Auditor(new_context(viewport=PHONE, bypass_csp=True))
    page = new_context(viewport=PHONE).new_page()

    page.goto(f"{live_server.url}{reverse('account_login')}")
    page.get_by_label("E-mail").fill(staff.email)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url(f"{live_server.url}/admin/")

    # From the sessions list to the session's attendance.
    page.goto(f"{live_server.url}{reverse('sessions:index')}")
    page.get_by_role("button", name=f"Plus d’options pour « {session} »").click()
    page.get_by_role("link", name="Présences").click()
    page.wait_for_url(f"{live_server.url}{reverse('inscriptions_admin:attendance', args=[session.pk])}")
    auditor.check("présences de la session, vides", page)

    first_week = session.half_days(session.start_date, session.start_date + datetime.timedelta(days=6))
    assert len(first_week) == 10
    with translation.override("fr"):
        names = [f"{formats.date_format(h.day, 'l d/m/Y')}, {h.part_label.lower()}" for h in first_week]
    for half_day, name in zip(first_week, names, strict=True):
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Présences du")
        if half_day == first_week[0]:
            # Nobody is ticked before staff tick.
            expect(page.get_by_role("radio", checked=True)).to_have_count(0)
            auditor.check("feuille d’une demi-journée", page)
        weekday = half_day.day.weekday()
        page.get_by_role("group", name="Inès Moreau").get_by_label(ines_mark(weekday, half_day.part)).check()
        page.get_by_role("group", name="Karim Benali").get_by_label(karim_mark(weekday, half_day.part)).check()
        page.get_by_role("button", name="Enregistrer les présences").click()
        expect(page.get_by_text("présences enregistrées (2 sur 2)")).to_be_visible()

    assert Attendance.objects.count() == 20
    auditor.check("présences de la session, une semaine remplie", page)
    people = page.locator("section", has=page.get_by_role("heading", name="Heures suivies par personne"))
    # Inès: nine half-days present of 3.5 hours, an excused one that counts on neither side.
    expect(people.get_by_role("row", name="Inès Moreau")).to_contain_text("31,5\u00a0h")
    expect(people.get_by_role("row", name="Inès Moreau")).to_contain_text("100,0\u00a0%")
    # Karim: four half-days present, six absent from Wednesday: 14 hours out of 35, flagged after three days.
    expect(people.get_by_role("row", name="Karim Benali")).to_contain_text("14\u00a0h")
    expect(people.get_by_role("row", name="Karim Benali")).to_contain_text("40,0\u00a0%")
    absences = page.locator("section", has=page.get_by_role("heading", name="Absences longues"))
    expect(absences).to_contain_text("Karim Benali : absent·e 3 jours de suite, sans justificatif")
    expect(absences).not_to_contain_text("Inès Moreau")
    # The session's rate weighs every hour: 45.5 present out of 66.5 counted.
    expect(page.get_by_text("68,4\u00a0%")).to_be_visible()

    # Karim's application shows his hours, his rate and the flag.
    absences.get_by_role("link", name="Karim Benali").click()
    page.wait_for_url(f"{live_server.url}{reverse('inscriptions_admin:detail', args=[karim.pk])}#presences")
    section = page.locator("section", has=page.get_by_role("heading", name="Présences", exact=True))
    expect(section).to_contain_text("14\u00a0h")
    expect(section).to_contain_text("40,0\u00a0%")
    expect(section).to_contain_text("Absence longue : absent·e 3 jours de cours de suite")
    auditor.check("candidature : présences", page)

    # The week's sheet for signatures downloads.
    page.goto(f"{live_server.url}{reverse('inscriptions_admin:attendance', args=[session.pk])}")
    with page.expect_download() as download:
        page.get_by_role(
            "link", name=f"Feuille d’émargement de la semaine du {session.start_date:%d/%m/%Y} (Excel)"
        ).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("link", name=f"Semaine du {session.start_date:%d/%m/%Y}, à imprimer").click()
    expect(page.get_by_role("row", name="Benali")).to_contain_text("14 h")
    auditor.check("feuille à imprimer", page)

    assert auditor.violations == dict.fromkeys(auditor.violations, [])
    assert ines.pk and karim.pk
