"""A campus's first weeks in Chromium, through the screens only: staff create a session typing French dates and a
price in euros, the whole group starts on the first day, a week of attendance is ticked on a phone, one person drops
out, another finishes and signed a CDI that starts next month; the funder's file shows those months and hours."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from formations.models import Session
from inscriptions.enums import Placement
from inscriptions.models import Application, Attendance, FollowUp, add_months
from inscriptions.services import attendance
from inscriptions.workflow import Status
from tests.accessibility import Auditor
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.downloads import month, pseudonym_of, read_csv, row_of
from tests.financeurs.factories import AgreementFactory, FunderFactory
from tests.formations.factories import FormationPageFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
STAFF_PASSWORD = "mot-de-passe-du-campus-2026"
FUNDER_EMAIL = "claire.martin@region.example"
FUNDER_PASSWORD = "une-phrase-de-passe-du-financeur"

TODAY = timezone.localdate()
# The session began on a Monday between 7 and 13 days ago: its whole first week has passed, and it runs four weeks.
START = attendance.week_of(TODAY) - datetime.timedelta(weeks=1)
END = START + datetime.timedelta(days=25)
DEADLINE = START - datetime.timedelta(days=7)
CDI_STARTS_ON = add_months(TODAY, 1)
HALF_DAY_HOURS = Decimal("3.5")  # the default timetable: 9:00-12:30 and 13:30-17:00, Monday to Friday

PRESENT, ABSENT, EXCUSED = "Présent·e", "Absent·e", "Absence justifiée"
# What staff tick for each person on each half-day of the first week: (day of the week, part) → label.
MARKS = {
    # Inès: there every half-day but Friday afternoon, excused (a job interview); she leaves that Friday.
    "Inès": lambda weekday, part: EXCUSED if (weekday, part) == (4, "apres_midi") else PRESENT,
    # Bilal: there Monday and Tuesday, then absent without excuse; he drops out, his last day Tuesday.
    "Bilal": lambda weekday, part: PRESENT if weekday < 2 else ABSENT,
    # Sofia: absent on Thursday, there every other half-day; she stays.
    "Sofia": lambda weekday, part: ABSENT if weekday == 3 else PRESENT,
}
NAMES = {"Inès": "Benaïssa", "Bilal": "Haddad", "Sofia": "Lopes"}
INES_LEFT_ON = START + datetime.timedelta(days=4)  # the Friday of the first week
BILAL_LEFT_ON = START + datetime.timedelta(days=1)  # the Tuesday


def french(day):
    return day.strftime("%d/%m/%Y")


def expected_hours(first_name):
    """The hours ticked present for that person over the week, from MARKS."""
    present = sum(
        MARKS[first_name](weekday, part) == PRESENT for weekday in range(5) for part in ("matin", "apres_midi")
    )
    return present * HALF_DAY_HOURS


def file_hours(hours):
    """How the participant file writes hours: two decimals, a decimal comma."""
    return f"{hours:.2f}".replace(".", ",")


@pytest.fixture
def campus(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus de Saint-Denis")
    FormationPageFactory(parent=campus, title="Technicien·ne cybersécurité")
    return campus


@pytest.fixture
def staff(campus):
    user = UserFactory(staff_of=campus, password=STAFF_PASSWORD, first_name="Chloé", last_name="Martin")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def funder_account(campus):
    agreement = AgreementFactory(
        funder=FunderFactory(name="Région Île-de-France"), title="Parcours numériques", campuses=[campus]
    )
    user = UserFactory(email=FUNDER_EMAIL, password=FUNDER_PASSWORD)
    EmailAddress.objects.create(user=user, email=FUNDER_EMAIL, verified=True, primary=True)
    agreement.funder.members.add(user)
    return agreement


def log_in(page, live_server, email, password, path):
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()


def type_date(page, name, day):
    """Type a date in an admin date field key by key, then leave it, as a person would (the picker acts on blur)."""
    field = page.locator(f"#id_{name}")
    field.click()
    field.fill("")
    field.press_sequentially(french(day))
    page.locator("#id_capacity").click()


def type_day(page, label, day):
    """Type a date in a dated step's or a follow-up's field, then leave it with Tab, as a person would: the picker
    opens on the field and closes, and what was typed stays."""
    field, picker = page.get_by_label(label), page.locator(".xdsoft_datetimepicker:visible")
    # The picker is bound to the field by the page's scripts: a click before they ran opens nothing.
    page.wait_for_load_state("load")
    # Tab from the field before may have put the focus here already, and a click on a focused field's open
    # picker can close it: start from a field without focus, as a person tapping it does.
    field.evaluate("field => field.blur()")
    expect(picker).to_have_count(0)
    field.click()
    expect(picker).to_have_count(1)
    field.fill("")
    field.press_sequentially(french(day))
    field.press("Tab")
    expect(picker).to_have_count(0)
    expect(field).to_have_value(french(day))


def enrol(session, staff):
    """Three people enrolled on the session (their applications are the application form's own test)."""
    people = {}
    for first_name, last_name in NAMES.items():
        application = ApplicationFactory(
            session=session, learner=LearnerFactory(first_name=first_name, last_name=last_name)
        )
        people[first_name] = move_to(application, Status.ENROLLED, actor=staff)
    return people


def refreshed(application):
    return Application.objects.get(pk=application.pk)


def test_a_campus_first_weeks_from_the_new_session_to_the_funders_file(
    new_context, live_server, campus, staff, funder_account, settings
):
    auditor = Auditor(new_context(viewport=DESKTOP, bypass_csp=True))
    page = new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server, staff.email, STAFF_PASSWORD, "/admin/login/")
    expect(page).to_have_url(f"{live_server.url}/admin/")

    # --- A new session, its dates typed the French way, its price in euros ----------------------------
    page.goto(f"{live_server.url}/admin/sessions/new/")
    page.locator("#id_formation").select_option(label="Technicien·ne cybersécurité")
    type_date(page, "start_date", START)
    type_date(page, "end_date", END)
    type_date(page, "application_deadline", DEADLINE)
    expect(page.locator("#id_start_date")).to_have_value(french(START))
    page.locator("#id_capacity").fill("12")
    page.locator("#id_price_cents").fill("49,90")
    page.get_by_role("button", name=re.compile(r"^(Créer|Enregistrer)$")).first.click()
    expect(page).to_have_url(f"{live_server.url}/admin/sessions/")
    expect(page.get_by_role("cell", name=french(START), exact=True)).to_be_visible()
    session = Session.objects.get()
    assert (session.start_date, session.end_date, session.application_deadline) == (START, END, DEADLINE)
    assert session.price_cents == 4990

    people = enrol(session, staff)
    ines, bilal, sofia = people["Inès"], people["Bilal"], people["Sofia"]

    # --- The session's people, for the first day ----------------------------------------------------
    page.get_by_role("button", name=f"Plus d’options pour « {session} »").click()
    page.get_by_role("link", name="Personnes de la session").click()
    expect(page.get_by_role("heading", level=1, name="Personnes de la session")).to_be_visible()
    for first_name, last_name in NAMES.items():
        expect(page.get_by_role("row", name=f"{last_name.upper()} {first_name}")).to_contain_text("Inscrit·e")
    auditor.check("personnes de la session", page)

    # --- The whole group began on the session's first day -------------------------------------------
    page.goto(f"{live_server.url}{reverse('inscriptions_admin:index')}?session={session.pk}")
    page.get_by_role("link", name="Tout le groupe a commencé…").click()
    type_day(page, "Premier jour de formation", START)
    auditor.check("tout le groupe a commencé", page)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("« Début de la formation » : 3 candidatures modifiées.")).to_be_visible()
    for person in people.values():
        assert (refreshed(person).status, refreshed(person).started_on) == (Status.IN_TRAINING, START)

    # --- A week of attendance, ticked on a phone ----------------------------------------------------
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{reverse('sessions:index')}")
    page.get_by_role("button", name=f"Plus d’options pour « {session} »").click()
    page.get_by_role("link", name="Présences").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('inscriptions_admin:attendance', args=[session.pk])}")
    first_week = session.half_days(START, START + datetime.timedelta(days=6))
    assert len(first_week) == 10
    with translation.override("fr"):
        links = [f"{formats.date_format(h.day, 'l d/m/Y')}, {h.part_label.lower()}" for h in first_week]
    for half_day, link in zip(first_week, links, strict=True):
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Présences du")
        if half_day == first_week[0]:
            auditor.check("feuille d’une demi-journée", page)
        for first_name, mark in MARKS.items():
            person = page.get_by_role("group", name=f"{first_name} {NAMES[first_name]}")
            person.get_by_label(mark(half_day.day.weekday(), half_day.part)).check()
        page.get_by_role("button", name="Enregistrer les présences").click()
        expect(page.get_by_text("présences enregistrées (3 sur 3)")).to_be_visible()
    assert Attendance.objects.count() == 30

    hours = page.locator("section", has=page.get_by_role("heading", name="Heures suivies par personne"))
    for first_name in MARKS:
        shown = f"{expected_hours(first_name):.1f}".replace(".", ",").removesuffix(",0")
        expect(hours.get_by_role("row", name=f"{first_name} {NAMES[first_name]}")).to_contain_text(f"{shown}\u00a0h")
    absences = page.locator("section", has=page.get_by_role("heading", name="Absences longues"))
    expect(absences).to_contain_text("Bilal Haddad : absent·e 3 jours de suite, sans justificatif")
    auditor.check("présences de la session", page)
    page.set_viewport_size(DESKTOP)

    # --- Bilal dropped out: his last day there was Tuesday ------------------------------------------
    page.goto(f"{live_server.url}{reverse('inscriptions_admin:detail', args=[bilal.pk])}")
    page.get_by_role("link", name="Abandon…").click()
    expect(page.get_by_text("Noter que Bilal Haddad a abandonné la formation.")).to_be_visible()
    auditor.check("écran de confirmation", page)
    type_day(page, "Dernier jour de présence", BILAL_LEFT_ON)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text(f"« Abandon » noté le {french(BILAL_LEFT_ON)}")).to_be_visible()
    assert (refreshed(bilal).status, refreshed(bilal).left_on) == (Status.DROPPED_OUT, BILAL_LEFT_ON)

    # --- Inès finished on Friday, and signed a CDI that starts next month ---------------------------
    page.goto(f"{live_server.url}{reverse('inscriptions_admin:detail', args=[ines.pk])}")
    page.get_by_role("link", name="Formation terminée…").click()
    type_day(page, "Dernier jour de formation", INES_LEFT_ON)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", name="Suivis de sortie")).to_be_visible()
    assert (refreshed(ines).status, refreshed(ines).left_on) == (Status.COMPLETED, INES_LEFT_ON)

    page.get_by_label("Moment").select_option(label="À la sortie")
    page.locator("#id_placement").select_option(label="CDI")
    page.get_by_label("Employeur ou organisme").fill("Coopérative numérique")
    type_day(page, "Depuis le", CDI_STARTS_ON)
    type_day(page, "Contrat signé le", TODAY)
    page.get_by_role("button", name="Enregistrer le suivi").click()
    expect(page.get_by_text(f"contrat signé le {french(TODAY)}")).to_be_visible()
    follow_up = FollowUp.objects.get()
    assert (follow_up.application_id, follow_up.placement) == (ines.pk, Placement.CDI)
    assert (follow_up.start_date, follow_up.signed_on) == (CDI_STARTS_ON, TODAY)

    assert auditor.violations == dict.fromkeys(auditor.violations, [])

    # --- The funder downloads the participant file from their portal --------------------------------
    settings.PARTICIPANT_FILE_K = 1  # one row per person, as they are (by the month)
    agreement = funder_account
    funder = new_context(viewport=DESKTOP, java_script_enabled=False).new_page()
    log_in(funder, live_server, FUNDER_EMAIL, FUNDER_PASSWORD, reverse("financeurs:index"))
    funder.get_by_role("link", name="Parcours numériques").click()
    with funder.expect_download() as download:
        funder.get_by_role("link", name="CSV : Fichier des participant·es").click()
    headers, *rows = read_csv(Path(download.value.path()).read_bytes())

    def row(application):
        found = row_of(rows, headers, pseudonym_of(agreement, application))
        return found["Début de session"], found["Statut"], found["Date de sortie"], found["Heures suivies"]

    assert row(ines) == (month(START), "Formation terminée", month(INES_LEFT_ON), file_hours(expected_hours("Inès")))
    assert row(bilal) == (
        month(START),
        "Abandon en cours de formation",
        month(BILAL_LEFT_ON),
        file_hours(expected_hours("Bilal")),
    )
    assert row(sofia) == (month(START), "En formation", "", file_hours(expected_hours("Sofia")))
    ines_row = row_of(rows, headers, pseudonym_of(agreement, ines))
    assert (ines_row["Situation à la sortie"], ines_row["Sortie positive à la sortie"]) == ("CDI", "Oui")
