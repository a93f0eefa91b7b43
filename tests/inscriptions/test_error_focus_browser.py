"""A form sent with mistakes comes back with focus on the list of what to correct, on a 320-px phone and without
JavaScript, and each mistake in the list leads to its field: every public and learner form with such a list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from inscriptions.enums import FollowUpMilestone
from inscriptions.models import FollowUpSurvey, GuardianConsentToken, add_months
from inscriptions.surveys import hash_token, new_token
from inscriptions.workflow import Status
from tests.browsing import session_cookie
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARROW_PHONE = {"width": 320, "height": 640}
# The element with focus, and whether each link of the list points at a form field of the page.
FOCUS_AND_LINKS = """() => {
    const summary = document.querySelector(".error-summary");
    const box = summary.getBoundingClientRect();
    const targets = [...summary.querySelectorAll("a")].map((link) => document.getElementById(link.hash.slice(1)));
    return {
        focused: document.activeElement === summary,
        on_screen: box.top >= 0 && box.top < window.innerHeight,
        links: targets.length,
        to_fields: targets.every((target) => target && ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)),
    };
}"""
EXPECTED = {"focused": True, "on_screen": True, "to_fields": True}


@pytest.fixture
def world(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus d’Aubervilliers")
    formation = FormationPageFactory(parent=campus, title="Technicien·ne d’assistance informatique")
    session = SessionFactory(formation=formation)
    staff = UserFactory(staff_of=campus)
    admitted = move_to(
        ApplicationFactory(session=session, learner=LearnerFactory(full_profile=True)), Status.ADMITTED, actor=staff
    )
    minor = LearnerFactory(minor=True)
    ApplicationFactory(learner=minor, session=session)
    left_on = add_months(timezone.localdate(), -6)
    moment = timezone.make_aware(datetime.datetime.combine(left_on, datetime.time(12)))
    former = move_to(
        ApplicationFactory(session=SessionFactory(formation=formation, past=True)),
        Status.COMPLETED,
        actor=staff,
        now=moment,
    )
    survey_token = new_token()
    FollowUpSurvey.objects.create(
        application=former,
        milestone=FollowUpMilestone.SIX_MONTHS,
        token_hash=hash_token(survey_token),
        sent_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return {
        "session": session,
        "other_session": SessionFactory(formation=formation),
        "admitted": admitted,
        "guardian_link": reverse("inscriptions:accord_parental", args=[GuardianConsentToken.objects.issue(minor)]),
        "survey_link": reverse("inscriptions:follow_up_survey", args=[survey_token]),
    }


def send_wrong(page, url, button, fill=None):
    page.goto(url)
    if fill:
        fill(page)
    page.locator("main").get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    return page.evaluate(FOCUS_AND_LINKS)


def test_every_form_sent_wrong_comes_back_with_focus_on_its_mistakes(new_context, live_server, world):
    url = live_server.url
    anonymous = new_context(viewport=NARROW_PHONE, java_script_enabled=False).new_page()
    learner = new_context(viewport=NARROW_PHONE, java_script_enabled=False)
    learner.add_cookies([session_cookie(live_server, world["admitted"].learner.user)])
    newcomer = new_context(viewport=NARROW_PHONE, java_script_enabled=False)
    newcomer.add_cookies([session_cookie(live_server, UserFactory())])
    learner_page, newcomer_page = learner.new_page(), newcomer.new_page()

    seen = {
        "connexion": send_wrong(anonymous, f"{url}{reverse('account_login')}", "Se connecter"),
        "création de compte": send_wrong(anonymous, f"{url}{reverse('account_signup')}", "Créer mon compte"),
        "accord parental": send_wrong(anonymous, f"{url}{world['guardian_link']}", "Envoyer mon accord"),
        "questionnaire de suivi": send_wrong(
            anonymous,
            f"{url}{world['survey_link']}",
            "Envoyer mes réponses",
            lambda page: page.get_by_label("J’ai un emploi en CDD de 6 mois ou plus").check(),
        ),
        "candidater, étape 1": send_wrong(
            newcomer_page,
            f"{url}{reverse('inscriptions:postuler', args=[world['session'].pk])}",
            "Enregistrer et continuer",
        ),
        "candidater, étape 2": send_wrong(
            learner_page,
            f"{url}{reverse('inscriptions:postuler', args=[world['other_session'].pk])}",
            "Envoyer ma candidature",
        ),
        "profil": send_wrong(
            learner_page,
            f"{url}{reverse('inscriptions:profil')}",
            "Enregistrer",
            lambda page: page.get_by_label("Prénom").fill(""),
        ),
        "questions des financeurs": send_wrong(
            learner_page,
            f"{url}{reverse('inscriptions:questions_financeurs')}",
            "Enregistrer mes réponses",
            lambda page: page.get_by_label("Code postal").fill("933"),
        ),
        "supprimer mon compte": send_wrong(
            learner_page, f"{url}{reverse('inscriptions:supprimer')}", "Supprimer mon compte"
        ),
    }

    for found in seen.values():
        assert found.pop("links") >= 1
    assert seen == dict.fromkeys(seen, EXPECTED)
