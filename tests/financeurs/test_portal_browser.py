"""A funder in Chromium without JavaScript: logs in, reads the dashboard, changes the period; axe finds nothing."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import expect

from inscriptions.enums import FollowUpMilestone, Gender, Placement
from inscriptions.workflow import Status
from tests.accessibility import Auditor
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.factories import AgreementFactory, FunderFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, LearnerFactory, move_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
FUNDER_EMAIL = "claire.martin@region.example"
FUNDER_PASSWORD = "une-phrase-de-passe-du-financeur"


@pytest.fixture
def agreement(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus de Saint-Denis")
    agreement = AgreementFactory(
        funder=FunderFactory(name="Région Île-de-France"),
        reference="REG-IDF-2026-014",
        title="Parcours numériques 2026",
        campuses=[campus],
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        targets={"part_femmes": 30, "sorties_positives": 60},
    )
    staff = UserFactory(staff_of=campus)
    session = SessionFactory(formation=FormationPageFactory(parent=campus), start_date=datetime.date(2026, 3, 2))
    for index, (status, gender) in enumerate(
        [(Status.CERTIFIED, Gender.FEMALE), (Status.DROPPED_OUT, Gender.MALE), (Status.SUBMITTED, Gender.FEMALE)]
    ):
        application = ApplicationFactory(session=session, learner=LearnerFactory(gender=gender))
        move_to(application, status, actor=staff)
        if index == 0:
            FollowUpFactory(application=application, milestone=FollowUpMilestone.EXIT, placement=Placement.CDI)
    return agreement


@pytest.fixture
def funder_account(agreement):
    user = UserFactory(email=FUNDER_EMAIL, password=FUNDER_PASSWORD)
    EmailAddress.objects.create(user=user, email=FUNDER_EMAIL, verified=True, primary=True)
    agreement.funder.members.add(user)
    return user


def query(page):
    return {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["bureau", "telephone"])
def test_funder_logs_in_reads_the_dashboard_and_changes_the_period(
    new_context, live_server, agreement, funder_account, viewport
):
    auditor = Auditor(new_context(viewport=viewport, bypass_csp=True))
    page = new_context(viewport=viewport, java_script_enabled=False).new_page()
    portal = reverse("financeurs:index")

    page.goto(f"{live_server.url}{portal}")
    expect(page.get_by_role("heading", level=1, name="Se connecter")).to_be_visible()
    assert query(page) == {"next": portal}
    page.get_by_label("E-mail").fill(FUNDER_EMAIL)
    page.get_by_label("Mot de passe").fill(FUNDER_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()

    expect(page.get_by_role("heading", level=1, name="Espace financeurs")).to_be_visible()
    assert urlsplit(page.url).path == portal
    auditor.check("liste des conventions", page)
    page.get_by_role("link", name="Parcours numériques 2026").click()

    expect(page.get_by_role("heading", level=1, name="Parcours numériques 2026")).to_be_visible()
    expect(
        page.get_by_role("heading", level=2, name="Indicateurs du 1 janvier 2026 au 31 décembre 2026")
    ).to_be_visible()
    women = page.get_by_role("row", name="Part de femmes Part de femmes parmi")
    expect(women.get_by_role("cell").nth(0)).to_have_text("50\xa0%")
    expect(women.get_by_text("Trop peu de personnes pour conclure.")).to_be_visible()
    expect(page.get_by_role("img", name="Profil des personnes entrées en formation", exact=False)).to_be_visible()
    auditor.check("tableau de bord", page)

    # The period form: a plain GET form, no script needed.
    page.get_by_label("Début de la période").fill("2026-04-01")
    page.get_by_label("Fin de la période").fill("2026-06-30")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=2, name="Indicateurs du 1 avril 2026 au 30 juin 2026")).to_be_visible()
    assert query(page) == {"debut": "2026-04-01", "fin": "2026-06-30"}
    expect(page.get_by_role("row", name="Candidat·es Personnes").get_by_role("cell").nth(0)).to_have_text("0")
    expect(page.get_by_role("link", name="T2 2026")).to_have_attribute("aria-current", "true")

    # A ready-made period is a link, and a wrong period is explained without losing the figures.
    page.get_by_role("link", name="T1 2026").click()
    expect(page.get_by_role("heading", level=2, name="Indicateurs du 1 janvier 2026 au 31 mars 2026")).to_be_visible()
    expect(page.get_by_role("row", name="Candidat·es Personnes").get_by_role("cell").nth(0)).to_have_text("3")
    page.get_by_label("Début de la période").fill("2025-06-01")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("alert")).to_contain_text("Choisissez une date entre le 01/01/2026 et le 31/12/2026")
    expect(
        page.get_by_role("heading", level=2, name="Indicateurs du 1 janvier 2026 au 31 décembre 2026")
    ).to_be_visible()
    auditor.check("période refusée", page)

    assert auditor.violations == dict.fromkeys(["liste des conventions", "tableau de bord", "période refusée"], [])
