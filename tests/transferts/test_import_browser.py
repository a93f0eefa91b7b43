"""A campus staff member in Chromium: logs in to the Wagtail admin, imports follow-ups, fixes the file, confirms."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from inscriptions.enums import FollowUpMilestone, Placement
from inscriptions.models import FollowUp
from inscriptions.workflow import Status
from tests.accessibility import Auditor
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory
from tests.transferts.test_import_reading import csv_bytes
from transferts.models import DataJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 900}
STAFF_PASSWORD = "mot-de-passe-du-campus-2026"
# The follow-ups format of tests/inscriptions/test_imports_follow_ups.py, with accents Windows-1252 must carry.
HEADER = [
    "N° de candidature",
    "Moment",
    "Situation",
    "Employeur ou organisme",
    "Intitulé du poste ou de la formation",
    "Depuis le",
    "Code ROME",
]
# Axe audits whole pages, Wagtail's own chrome included: it finds nothing there, so no narrowing to <main>.


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def staff(session):
    user = UserFactory(staff_of=session.campus, password=STAFF_PASSWORD, first_name="Chloé", last_name="Martin")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def applications(session):
    left_on = timezone.localdate() - datetime.timedelta(days=400)
    return [
        ApplicationFactory(session=session, status=status, left_on=left_on)
        for status in (Status.COMPLETED, Status.CERTIFIED)
    ]


def follow_ups_csv(applications, *, with_bad_line):
    """A Windows-1252 `;` file: two good exit lines, then (if asked) a 6-month line whose date does not exist."""
    first, second = applications
    rows = [
        HEADER,
        [str(first.pk), "sortie", "Stage", "Mairie de Saint-Denis", "Agent d'accueil", "02/03/2026", ""],
        [str(second.pk), "sortie", "CDI", "Société Générale", "Technicienne support", "01/09/2026", ""],
    ]
    if with_bad_line:
        rows.append([str(first.pk), "6 mois", "CDI", "Société Générale", "Technicienne support", "31/02/2026", ""])
    return {"name": "suivis.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows, encoding="cp1252")}


def upload(page, file):
    page.get_by_role("radio", name="Suivis de sortie").check()
    page.get_by_label("Fichier", exact=True).set_input_files(file)
    page.get_by_role("button", name="Vérifier le fichier").click()


def test_staff_imports_follow_ups_fixes_the_file_then_confirms(new_context, live_server, staff, applications):
    # Axe is injected as a script: the auditor's context bypasses the site's Content Security Policy.
    auditor = Auditor(new_context(viewport=DESKTOP, bypass_csp=True))
    # The Wagtail admin is a JavaScript application (its menu is drawn by script): JavaScript stays on here.
    page = new_context(viewport=DESKTOP).new_page()

    # --- The admin's login is the one everyone uses ------------------------------------------------
    page.goto(f"{live_server.url}/admin/login/")
    expect(page.get_by_role("heading", level=1, name="Se connecter")).to_be_visible()
    page.get_by_label("E-mail").fill(staff.email)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/admin/")

    # --- Imports, from the admin menu -----------------------------------------------------------
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Imports").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('imports:start')}")
    expect(page.get_by_role("heading", level=1, name="Imports")).to_be_visible()
    auditor.check("formulaire", page)

    # Two good lines and a third (line 4 of the file) with an impossible date.
    upload(page, follow_ups_csv(applications, with_bad_line=True))
    expect(page.get_by_role("heading", level=2, name="Import impossible : rien n’a été enregistré")).to_be_visible()
    expect(page.locator("#count-errors")).to_have_text("1")
    expect(page.get_by_role("heading", level=3, name="1 erreur à corriger")).to_be_visible()
    expect(page.locator("ul.import-errors li")).to_have_text(
        ["Ligne 4, colonne « depuis le » : « 31/02/2026 » n'est pas une date (jj/mm/aaaa)."]
    )
    # The accents came through Windows-1252 intact, and nothing can be confirmed.
    expect(page.get_by_role("cell", name="Société Générale", exact=True)).to_have_count(2)
    expect(page.get_by_role("button", name="Confirmer l’import")).to_have_count(0)
    assert not FollowUp.objects.exists()
    auditor.check("aperçu avec erreur", page)

    # --- The corrected file: the faulty line taken out, the two good ones left -------------------
    page.get_by_role("link", name="Faire un autre import").click()
    expect(page.get_by_role("heading", level=1, name="Imports")).to_be_visible()
    upload(page, follow_ups_csv(applications, with_bad_line=False))
    expect(page.get_by_role("heading", level=2, name="Aperçu : rien n’est encore enregistré")).to_be_visible()
    expect(page.locator("#count-created")).to_have_text("2")
    expect(page.locator("#count-updated")).to_have_text("0")
    expect(page.locator("ul.import-errors")).to_have_count(0)
    assert not FollowUp.objects.exists()
    auditor.check("aperçu", page)

    page.get_by_role("button", name="Confirmer l’import").click()
    expect(page.get_by_role("heading", level=2, name="Import terminé")).to_be_visible()
    expect(page.get_by_text("Import terminé.")).to_be_visible()
    expect(page.locator("#count-created")).to_have_text("2")
    expect(page.get_by_role("button", name="Confirmer l’import")).to_have_count(0)
    auditor.check("résultat", page)

    first, second = applications
    job = DataJob.objects.get(state=DataJob.State.DONE)
    assert (job.kind, job.campus, job.requested_by) == ("suivis", first.session.campus, staff)
    assert sorted(
        FollowUp.objects.values_list("application", "milestone", "placement", "employer", "start_date")
    ) == sorted(
        [
            (
                first.pk,
                FollowUpMilestone.EXIT,
                Placement.INTERNSHIP,
                "Mairie de Saint-Denis",
                datetime.date(2026, 3, 2),
            ),
            (second.pk, FollowUpMilestone.EXIT, Placement.CDI, "Société Générale", datetime.date(2026, 9, 1)),
        ]
    )

    assert auditor.violations["formulaire"] == []
    job_pages = ["aperçu avec erreur", "aperçu", "résultat"]
    assert {name: auditor.violations[name] for name in job_pages} == dict.fromkeys(job_pages, [])
