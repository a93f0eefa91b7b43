"""An adult and a minor apply from a fresh account on a 360-px phone without JavaScript: the two steps ask 12
things or fewer in all, each fits in two screens, and axe finds nothing. Once admitted, the rest is asked."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inscriptions.models import Application, Learner
from inscriptions.workflow import Status
from tests.accessibility import Auditor
from tests.browsing import browsing_and_auditing
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to, years_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 360, "height": 740}
MAX_FIELDS = 12
MAX_HEIGHT = 2 * PHONE["height"]

# The form controls a person sees and fills: a radio group is one question, hidden inputs and buttons are none.
VISIBLE_FIELDS = """() => {
    const names = new Set();
    for (const control of document.querySelectorAll("main input, main select, main textarea")) {
        if (["hidden", "submit", "button"].includes(control.type)) continue;
        if (!control.checkVisibility()) continue;
        names.add(control.name);
    }
    return [...names];
}"""
PAGE_HEIGHT = "() => document.documentElement.scrollHeight"


@pytest.fixture
def session(campus_index):
    # Real names, as long as a campus's: the heights are measured with them.
    campus = CampusPageFactory(parent=campus_index, title="Campus numérique d’Aubervilliers")
    formation = FormationPageFactory(parent=campus, title="Technicien·ne d’assistance informatique")
    return SessionFactory(formation=formation)


def apply_as(new_context, live_server, session, *, birth_date, guardian=None):
    """Go through both steps; return {step: (fields seen, page height)} and axe's findings."""
    user = UserFactory()
    phone, audit = browsing_and_auditing(new_context, live_server, user, PHONE)
    page, auditor = phone.new_page(), Auditor(audit)
    measured = {}
    page.goto(f"{live_server.url}{reverse('inscriptions:postuler', args=[session.pk])}")
    expect(page.get_by_text("Étape 1 sur 3")).to_be_visible()
    if guardian:
        page.get_by_text("Vous avez moins de 18 ans ?").click()
    measured["profil"] = (page.evaluate(VISIBLE_FIELDS), page.evaluate(PAGE_HEIGHT))
    auditor.check("étape 1", page)

    page.get_by_label("Prénom").fill("Awa")
    page.get_by_label("Nom", exact=True).fill("Diallo")
    page.get_by_label("Date de naissance").fill(birth_date.isoformat())
    page.get_by_label("CAP ou BEP", exact=True).check()
    page.get_by_label("Je cherche un emploi, inscrit·e à France Travail").check()
    if guardian:
        page.get_by_label("Nom du parent ou tuteur").fill(guardian[0])
        page.get_by_label("E-mail du parent ou tuteur").fill(guardian[1])
    page.get_by_label("J’ai lu la notice de confidentialité", exact=False).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_text("Étape 2 sur 3")).to_be_visible()
    measured["candidature"] = (page.evaluate(VISIBLE_FIELDS), page.evaluate(PAGE_HEIGHT))
    auditor.check("étape 2", page)
    page.get_by_label("Votre motivation").fill("J’aime réparer les ordinateurs de ma famille.")
    page.get_by_label("Je suis disponible sur toute la durée de la session").check()
    page.get_by_role("button", name="Envoyer ma candidature").click()

    expect(page.get_by_role("heading", level=1, name="C’est envoyé !")).to_be_visible()
    assert Application.objects.filter(learner__user=user).count() == 1
    phone.close()
    audit.close()
    return Learner.objects.get(user=user), measured, auditor.violations


def assert_short(measured):
    # The figures, for whoever reads a failure: fields per step and page heights.
    print({step: (len(fields), height) for step, (fields, height) in measured.items()})  # noqa: T201
    fields = measured["profil"][0] + measured["candidature"][0]
    assert len(fields) <= MAX_FIELDS, fields
    for step, (_, height) in measured.items():
        assert height <= MAX_HEIGHT, f"{step} : {height} px"


def test_an_adult_applies_in_ten_questions_on_two_screens_per_step(new_context, live_server, session):
    learner, measured, violations = apply_as(new_context, live_server, session, birth_date=years_ago(20))

    assert sorted(measured["profil"][0]) == sorted(
        ["first_name", "last_name", "birth_date", "phone", "diploma", "situation", "consent"]
    )
    assert sorted(measured["candidature"][0]) == ["availability", "cv", "motivation"]
    assert_short(measured)
    assert violations == {"étape 1": [], "étape 2": []}
    assert (learner.guardian_name, learner.postcode) == ("", "")


def test_a_minor_applies_with_her_guardian_in_twelve_questions(new_context, live_server, session):
    learner, measured, violations = apply_as(
        new_context, live_server, session, birth_date=years_ago(17), guardian=("Fatou Diallo", "fatou@famille.fr")
    )

    assert {"guardian_name", "guardian_email"} <= set(measured["profil"][0])
    assert_short(measured)
    assert violations == {"étape 1": [], "étape 2": []}
    assert learner.guardian_email == "fatou@famille.fr"
    assert learner.is_minor()


def test_once_admitted_she_answers_before_the_training_starts(new_context, live_server, session):
    learner = LearnerFactory(postcode="", commune="", referrer="")
    staff = UserFactory(staff_of=session.campus)
    move_to(ApplicationFactory(learner=learner, session=session), Status.ADMITTED, actor=staff)
    phone, audit = browsing_and_auditing(new_context, live_server, learner.user, PHONE)
    page, auditor = phone.new_page(), Auditor(audit)

    page.goto(f"{live_server.url}{reverse('inscriptions:espace')}")
    page.get_by_role("link", name="Répondre aux questions").click()
    expect(page.get_by_role("heading", level=1, name="Avant le début de la formation")).to_be_visible()
    auditor.check("avant le début", page)
    page.get_by_label("Code postal").fill("933")
    page.get_by_role("button", name="Enregistrer mes réponses").click()
    expect(page.get_by_role("alert")).to_be_visible()
    auditor.check("avant le début, avec une erreur", page)
    page.get_by_role("link", name="Code postal : Un code postal a 5 chiffres.").click()
    page.get_by_label("Code postal").fill("93300")
    page.get_by_label("Commune").fill("Aubervilliers")
    page.get_by_label("Une association").check()
    page.get_by_role("button", name="Enregistrer mes réponses").click()

    expect(page.get_by_text("Merci, vos réponses sont enregistrées.", exact=False)).to_be_visible()
    learner.refresh_from_db()
    assert (learner.postcode, learner.commune, learner.referrer) == ("93300", "Aubervilliers", "association")
    phone.close()
    audit.close()
    assert auditor.violations == {"avant le début": [], "avant le début, avec une erreur": []}
