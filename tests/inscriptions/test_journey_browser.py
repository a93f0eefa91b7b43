"""The whole journey in a real Chromium: sign up → apply → the campus admits → the learner confirms in their space."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from inscriptions.models import Application, StatusChange
from inscriptions.workflow import Role, Status
from tests.accessibility import Auditor
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import years_ago
from tests.inscriptions.pdfs import pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

LEARNER_EMAIL = "awa.diallo@exemple.fr"
LEARNER_PASSWORD = "une-phrase-de-passe-2026"
STAFF_PASSWORD = "mot-de-passe-du-campus-2026"
MOTIVATION = "J’aime réparer les ordinateurs de ma famille et je veux en faire mon métier."
# A real PDF (one blank page): the CV check parses the file.
MINIMAL_PDF = pdf()


@pytest.fixture
def open_session(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus d’Aubervilliers")
    formation = FormationPageFactory(parent=campus, title="Technicien·ne d’assistance informatique")
    return SessionFactory(formation=formation, capacity=2)


def where(page, live_server):
    """The path the page is at, and the `next` it carries (None without one)."""
    assert page.url.startswith(live_server.url)
    address = urlsplit(page.url)
    return address.path, parse_qs(address.query).get("next", [None])[0]


def verification_code(message):
    return re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]+)?)\s*$", message.body, re.MULTILINE).group(1)


def test_sign_up_apply_get_admitted_and_confirm_the_seat(new_context, live_server, open_session):
    session, formation = open_session, open_session.formation
    staff = UserFactory(staff_of=session.campus, password=STAFF_PASSWORD, first_name="Chloé", last_name="Martin")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    apply_path = reverse("inscriptions:postuler", args=[session.pk])
    # Axe is injected as a script: the auditor's context bypasses the site's Content Security Policy.
    auditor = Auditor(new_context(viewport=PHONE, bypass_csp=True))

    # --- The learner, on a phone, without JavaScript ---------------------------------------------
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}{formation.url}")
    page.get_by_role("link", name="Postuler").click()

    # Not logged in: the login page keeps where she was going, and so does "Créer un compte".
    expect(page.get_by_role("heading", level=1, name="Se connecter")).to_be_visible()
    assert where(page, live_server) == (reverse("account_login"), apply_path)
    page.get_by_role("link", name="Créer un compte").click()
    expect(page.get_by_role("heading", level=1, name="Créer un compte")).to_be_visible()
    assert where(page, live_server) == (reverse("account_signup"), apply_path)
    auditor.check("inscription", page)

    sent_before = len(mail.outbox)
    page.get_by_label("E-mail").fill(LEARNER_EMAIL)
    page.get_by_label("Mot de passe").fill(LEARNER_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_role("heading", level=1, name="Vérifiez votre adresse e-mail")).to_be_visible()
    assert len(mail.outbox) == sent_before + 1
    assert mail.outbox[-1].to == [LEARNER_EMAIL]
    auditor.check("code de vérification", page)
    page.get_by_label("Code").fill(verification_code(mail.outbox[-1]))
    page.get_by_role("button", name="Valider le code").click()

    # The code brings her back to the application she started, at its first step.
    expect(page.get_by_role("heading", level=1, name="Votre profil")).to_be_visible()
    expect(page.get_by_text("Étape 1 sur 3")).to_be_visible()
    assert where(page, live_server) == (apply_path, None)
    auditor.check("étape 1 : profil", page)
    page.get_by_label("Prénom").fill("Awa")
    page.get_by_label("Nom", exact=True).fill("Diallo")
    page.get_by_label("Date de naissance", exact=True).fill(years_ago(20).isoformat())
    page.get_by_label("CAP ou BEP", exact=True).check()
    page.get_by_label("Je cherche un emploi, inscrit·e à France Travail").check()
    page.get_by_label("J’ai lu la notice de confidentialité", exact=False).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", level=1, name="Votre candidature")).to_be_visible()
    expect(page.get_by_text("Étape 2 sur 3")).to_be_visible()
    expect(page.get_by_text("Votre profil est enregistré. Plus qu’une étape !")).to_be_visible()
    assert where(page, live_server) == (apply_path, None)
    auditor.check("étape 2 : candidature", page)
    page.get_by_label("Votre motivation").fill(MOTIVATION)
    page.get_by_label("Je suis disponible sur toute la durée de la session").check()
    page.get_by_label("CV").set_input_files(
        {"name": "cv-awa.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    sent_before = len(mail.outbox)
    page.get_by_role("button", name="Envoyer ma candidature").click()

    expect(page.get_by_role("heading", level=1, name="C’est envoyé !")).to_be_visible()
    expect(page.get_by_text("Étape 3 sur 3")).to_be_visible()
    application = Application.objects.get(learner__user__email=LEARNER_EMAIL)
    assert where(page, live_server) == (reverse("inscriptions:postuler_envoye", args=[application.pk]), None)
    expect(page.get_by_text(f"Nous vous avons envoyé un e-mail à {LEARNER_EMAIL}")).to_be_visible()
    auditor.check("étape 3 : confirmation", page)
    new_mail = mail.outbox[sent_before:]
    to_learner = [message for message in new_mail if message.to == [LEARNER_EMAIL]]
    assert [message.subject for message in to_learner] == ["[Tremplin] Nous avons bien reçu votre candidature"]
    assert f"« {formation.title} »" in to_learner[0].body
    assert "Bonjour Awa," in to_learner[0].body
    assert any(message.to == [staff.email] for message in new_mail)

    # --- The campus team, in the Wagtail admin (desktop, JavaScript on) ------------------------------
    desk = new_context(viewport=DESKTOP).new_page()
    # The admin sends to the one login, where everyone logs in with their e-mail.
    desk.goto(f"{live_server.url}/admin/")
    desk.get_by_label("E-mail").fill(staff.email)
    desk.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    desk.get_by_role("button", name="Se connecter", exact=True).click()
    desk.wait_for_url(f"{live_server.url}/admin/")

    desk.get_by_role("button", name="Candidatures").click()
    desk.get_by_role("link", name="Toutes les candidatures").click()
    desk.wait_for_url(f"{live_server.url}{reverse('inscriptions_admin:index')}")
    desk.get_by_role("link", name="Awa Diallo").click()
    desk.wait_for_url(f"{live_server.url}{reverse('inscriptions_admin:detail', args=[application.pk])}")
    expect(desk.get_by_role("heading", level=1, name="Awa Diallo")).to_be_visible()
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Télécharger le CV (PDF)").click()
    assert download.value.path().read_bytes() == MINIMAL_PDF

    sent_before = len(mail.outbox)
    desk.get_by_role("button", name="Admettre", exact=True).click()
    expect(desk.get_by_text("Awa Diallo : candidature « Admis·e ».")).to_be_visible()
    expect(desk.get_by_role("heading", level=2, name="Statut")).to_contain_text("Admis·e")
    history = desk.get_by_role("region", name="Historique").get_by_role("row")
    expect(history).to_have_count(3)  # the header row, then one row per change, oldest first
    assert history.nth(1).get_by_role("cell").all_inner_texts()[1:4] == [
        "–",
        "Envoyée",
        "Awa Diallo – Candidat·e",
    ]
    assert history.nth(2).get_by_role("cell").all_inner_texts()[1:4] == [
        "Envoyée",
        "Admis·e",
        "Chloé Martin – Équipe du campus",
    ]
    session.refresh_from_db()
    assert session.seats_taken == 1  # the seat is held from the admission on
    admitted_mail = mail.outbox[sent_before:]
    assert [(message.to, message.subject) for message in admitted_mail] == [
        ([LEARNER_EMAIL], "[Tremplin] Bonne nouvelle : une place vous attend")
    ]

    # --- Back to the learner's phone, by the link in the e-mail ---------------------------------------
    espace_path = reverse("inscriptions:espace")
    assert f"{settings.PUBLIC_BASE_URL}{espace_path}" in admitted_mail[0].body
    page.goto(f"{live_server.url}{espace_path}")
    expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", level=3, name=formation.title))
    expect(card.get_by_text("Admis·e", exact=True)).to_be_visible()
    expect(
        card.get_by_text("Bonne nouvelle : une place vous attend. Confirmez-la pour être inscrit·e.")
    ).to_be_visible()
    auditor.check("mon espace : admis·e", page)

    sent_before = len(mail.outbox)
    card.get_by_role("button", name="Confirmer ma place").click()
    expect(page.get_by_text("C’est confirmé : vous êtes inscrit·e à cette formation.")).to_be_visible()
    assert where(page, live_server) == (espace_path, None)
    expect(card.get_by_text("Inscrit·e", exact=True)).to_be_visible()
    expect(card.get_by_text("Vous êtes inscrit·e. Le campus vous donne rendez-vous le premier jour.")).to_be_visible()
    expect(card.get_by_role("button", name="Confirmer ma place")).to_have_count(0)
    auditor.check("mon espace : inscrit·e", page)
    enrolled_mail = mail.outbox[sent_before:]
    assert [message.to for message in enrolled_mail] == [[LEARNER_EMAIL]]
    assert enrolled_mail[0].subject.startswith("[Tremplin] Vous êtes inscrit·e : rendez-vous le ")

    # --- The database agrees with what both screens said -------------------------------------------
    application.refresh_from_db()
    session.refresh_from_db()
    assert application.status == Status.ENROLLED
    assert application.cv.read() == MINIMAL_PDF
    assert session.seats_taken == 1
    assert list(
        StatusChange.objects.filter(application=application)
        .order_by("created_at", "pk")
        .values_list("from_status", "to_status", "role", "actor__email")
    ) == [
        ("", Status.SUBMITTED, Role.LEARNER, LEARNER_EMAIL),
        (Status.SUBMITTED, Status.ADMITTED, Role.STAFF, staff.email),
        (Status.ADMITTED, Status.ENROLLED, Role.LEARNER, LEARNER_EMAIL),
    ]
    audited = ["inscription", "code de vérification", "étape 1 : profil", "étape 2 : candidature"]
    audited += ["étape 3 : confirmation", "mon espace : admis·e", "mon espace : inscrit·e"]
    assert auditor.violations == dict.fromkeys(audited, [])
