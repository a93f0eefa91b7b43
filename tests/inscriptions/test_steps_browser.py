"""Staff in Chromium, without JavaScript: the whole group starts on the session's first day, one learner drops out on
a given day, another finishes and signed a CDI that starts next month; the funder's file shows those months."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from inscriptions.enums import Placement
from inscriptions.models import Application, FollowUp, add_months
from inscriptions.workflow import Status
from tests.accessibility import Auditor
from tests.browsing import browsing_and_auditing
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.downloads import download, month, pseudonym_of, read_csv, row_of
from tests.financeurs.factories import AgreementFactory, FunderFactory, funder_user
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 900}
TODAY = timezone.localdate()
# A session that began three months ago and ended last month: every day typed below is in another month than today.
SESSION_START = add_months(TODAY, -3)
SESSION_END = add_months(TODAY, -1)
DROPPED_OUT_ON = SESSION_START + (SESSION_END - SESSION_START) // 3
CDI_STARTS_ON = add_months(TODAY, 1)


@pytest.fixture
def group(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus de Saint-Denis")
    formation = FormationPageFactory(parent=campus, title="Technicien·ne cybersécurité")
    session = SessionFactory(
        formation=formation,
        start_date=SESSION_START,
        end_date=SESSION_END,
        application_deadline=SESSION_START,
        capacity=5,
    )
    staff = UserFactory(staff_of=campus, first_name="Chloé", last_name="Martin")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    people = {}
    for first_name, last_name in [("Inès", "Benaïssa"), ("Bilal", "Haddad"), ("Sofia", "Lopes")]:
        application = ApplicationFactory(
            session=session, learner=LearnerFactory(first_name=first_name, last_name=last_name)
        )
        people[first_name] = move_to(application, Status.ENROLLED, actor=staff)
    return session, staff, people


@pytest.fixture
def contexts(new_context, live_server, group):
    """The staff's browser (JavaScript off, logged in), and an auditor's context for axe."""
    return browsing_and_auditing(new_context, live_server, group[1], DESKTOP)


def refreshed(application):
    return Application.objects.get(pk=application.pk)


def test_staff_date_the_steps_and_the_funders_file_shows_those_months(contexts, live_server, group, client, settings):
    session, _staff, people = group
    page, auditor = contexts[0].new_page(), Auditor(contexts[1])

    # --- The whole group began on the session's first day ------------------------------------------
    page.goto(f"{live_server.url}{reverse('inscriptions_admin:index')}?session={session.pk}")
    page.get_by_role("link", name="Tout le groupe a commencé…").click()
    for person in people.values():
        expect(page.get_by_role("link", name=str(person.learner))).to_be_visible()
    page.get_by_label("Premier jour de formation").fill(SESSION_START.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_text("« Début de la formation » : 3 candidatures modifiées.")).to_be_visible()
    for person in people.values():
        assert (refreshed(person).status, refreshed(person).started_on) == (Status.IN_TRAINING, SESSION_START)

    # --- Bilal dropped out: the screen asks the day, refuses one before his start ----------------------
    bilal, ines = people["Bilal"], people["Inès"]
    page.goto(f"{live_server.url}{reverse('inscriptions_admin:detail', args=[bilal.pk])}")
    page.get_by_role("link", name="Abandon…").click()
    expect(page.get_by_text("Noter que Bilal Haddad a abandonné la formation.")).to_be_visible()
    auditor.check("écran de confirmation", page)
    before_start = SESSION_START - datetime.timedelta(days=1)
    page.get_by_label("Dernier jour de présence").fill(before_start.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Confirmer").click()
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("link", name="la sortie ne peut pas être avant", exact=False)).to_be_visible()
    auditor.check("écran de confirmation avec une erreur", page)
    assert refreshed(bilal).status == Status.IN_TRAINING
    summary.get_by_role("link").click()
    expect(page).to_have_url(re.compile("#id_on$"))
    page.get_by_label("Dernier jour de présence").fill(DROPPED_OUT_ON.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text(f"« Abandon » noté le {DROPPED_OUT_ON:%d/%m/%Y}")).to_be_visible()
    assert (refreshed(bilal).status, refreshed(bilal).left_on) == (Status.DROPPED_OUT, DROPPED_OUT_ON)

    # --- Inès finished on the last day, and signed a CDI that starts next month ------------------------
    page.goto(f"{live_server.url}{reverse('inscriptions_admin:detail', args=[ines.pk])}")
    page.get_by_role("link", name="Formation terminée…").click()
    page.get_by_label("Dernier jour de formation").fill(SESSION_END.isoformat())
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", name="Suivis de sortie")).to_be_visible()

    page.get_by_label("Moment").select_option(label="À la sortie")
    page.locator("#id_placement").select_option(label="CDI")
    page.get_by_label("Employeur ou organisme").fill("Coopérative numérique")
    page.get_by_label("Depuis le").fill(CDI_STARTS_ON.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Enregistrer le suivi").click()
    # The form is at the bottom of a long page: its error is at the top, a link to the field.
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("link", name="indiquez la date de signature", exact=False)).to_be_visible()
    auditor.check("fiche avec une erreur de suivi", page)
    assert not FollowUp.objects.exists()
    summary.get_by_role("link").click()
    expect(page).to_have_url(re.compile("#id_signed_on$"))
    expect(page.get_by_label("Contrat signé le")).to_be_in_viewport()
    page.get_by_label("Contrat signé le").fill(TODAY.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Enregistrer le suivi").click()
    expect(page.get_by_text(f"contrat signé le {TODAY:%d/%m/%Y}")).to_be_visible()
    follow_up = FollowUp.objects.get()
    assert (follow_up.placement, follow_up.start_date, follow_up.signed_on) == (Placement.CDI, CDI_STARTS_ON, TODAY)

    assert {name: found for name, found in auditor.violations.items() if found} == {}

    # --- The funder's file: the exits in the months staff gave, the CDI a positive exit -----------------
    settings.PARTICIPANT_FILE_K = 1  # one row per person, as they are (by the month)
    agreement = AgreementFactory(funder=FunderFactory(name="Région Île-de-France"), campuses=[session.campus])
    headers, *rows = read_csv(download(client, funder_user(agreement.funder), agreement, "csv"))
    ines_row = row_of(rows, headers, pseudonym_of(agreement, ines))
    bilal_row = row_of(rows, headers, pseudonym_of(agreement, bilal))
    sofia_row = row_of(rows, headers, pseudonym_of(agreement, people["Sofia"]))
    assert (ines_row["Début de session"], ines_row["Statut"], ines_row["Date de sortie"]) == (
        month(SESSION_START),
        "Formation terminée",
        month(SESSION_END),
    )
    assert (ines_row["Situation à la sortie"], ines_row["Sortie positive à la sortie"]) == ("CDI", "Oui")
    assert (bilal_row["Statut"], bilal_row["Date de sortie"]) == (
        "Abandon en cours de formation",
        month(DROPPED_OUT_ON),
    )
    assert (sofia_row["Statut"], sofia_row["Date de sortie"]) == ("En formation", "")
