"""Every public and learner page on the narrowest phone still in use (320 × 640), without JavaScript: nothing
wider than the screen, nothing axe finds. Long real-world texts on purpose: a certification's full title, a
referent's long e-mail address, "Aucun diplôme demandé" in the key facts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from formations.enums import EntryLevel, FeeKind
from inscriptions.enums import FollowUpMilestone
from inscriptions.models import FollowUpSurvey, GuardianConsentToken, add_months
from inscriptions.surveys import hash_token, new_token
from inscriptions.workflow import Status
from tests.accessibility import Auditor
from tests.browsing import browsing_and_auditing, session_cookie
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import CertificationFactory, FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARROW_PHONE = {"width": 320, "height": 640}
# What sticks out of the screen, if anything: the page's width and the widest elements past the right edge.
OVERFLOW = """() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    const wide = [...document.querySelectorAll("body *")]
        .filter((element) => element.getBoundingClientRect().right > root.clientWidth + 0.5)
        .slice(-3)
        .map((element) => `${element.tagName.toLowerCase()}: ${element.textContent.trim().slice(0, 40)}`);
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""


@pytest.fixture
def world(campus_index):
    campus = CampusPageFactory(
        parent=campus_index,
        title="Campus numérique de Clichy-sous-Bois et Montfermeil",
        commune="Clichy-sous-Bois",
        email="accueil-inscriptions.clichy-sous-bois-montfermeil@campus-numerique.example",
    )
    formation = FormationPageFactory(
        parent=campus,
        title="Technicien·ne d’assistance informatique",
        entry_level=EntryLevel.NONE,
        certification=CertificationFactory(
            code="RNCP37682",
            title="Technicien d’assistance informatique en environnements numériques hétérogènes",
        ),
        accessibility_referent_name="Marie-Antoinette Lefebvre-Desmoulins",
        accessibility_referent_email="referent.handicap.clichy-sous-bois-montfermeil@campus-numerique.example",
        accessibility_referent_phone="01 43 88 00 00",
    )
    session = SessionFactory(formation=formation, price_cents=5000, fee_kind=FeeKind.FEE)
    other_session = SessionFactory(formation=formation)
    staff = UserFactory(staff_of=campus)
    admitted = move_to(
        ApplicationFactory(session=session, learner=LearnerFactory(full_profile=True)), Status.ADMITTED, actor=staff
    )
    return {
        "campus": campus,
        "formation": formation,
        "session": session,
        "other_session": other_session,
        "staff": staff,
        "admitted": admitted,
    }


def survey_link(world):
    """A learner who left six months ago, and the link of the survey e-mailed to her."""
    past = SessionFactory(formation=world["formation"], past=True)
    left_on = add_months(timezone.localdate(), -6)
    moment = timezone.make_aware(datetime.datetime.combine(left_on, datetime.time(12)))
    application = move_to(ApplicationFactory(session=past), Status.COMPLETED, actor=world["staff"], now=moment)
    token = new_token()
    FollowUpSurvey.objects.create(
        application=application,
        milestone=FollowUpMilestone.SIX_MONTHS,
        token_hash=hash_token(token),
        sent_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return reverse("inscriptions:follow_up_survey", args=[token])


class Inspector:
    """Looks at each page as the person got it: its width at 320 px, then axe on the same HTML."""

    def __init__(self, auditing_context):
        self.auditor = Auditor(auditing_context)
        self.overflowing = {}

    def check(self, name, page):
        if overflow := page.evaluate(OVERFLOW):
            self.overflowing[name] = overflow
        self.auditor.check(name, page)

    def assert_clean(self, names):
        assert self.overflowing == {}, "\n".join(f"{name} : {found}" for name, found in self.overflowing.items())
        assert self.auditor.violations == dict.fromkeys(names, [])


def test_public_pages_fit_a_320_px_phone_and_pass_axe(new_context, live_server, world):
    page = new_context(viewport=NARROW_PHONE, java_script_enabled=False).new_page()
    inspector = Inspector(new_context(viewport=NARROW_PHONE, bypass_csp=True))
    urls = {
        "accueil": "/",
        "catalogue": reverse("formations:catalogue"),
        "catalogue filtré": f"{reverse('formations:catalogue')}?q=technicien&format=sur_place&duree_min=100",
        "catalogue avec erreurs": f"{reverse('formations:catalogue')}?duree_min=500&duree_max=10&debut_min=demain",
        "catalogue vide": f"{reverse('formations:catalogue')}?q=introuvable",
        "formation": world["formation"].url,
        "campus": world["campus"].url,
        "liste des campus": "/campus/",
        "confidentialité": reverse("inscriptions:confidentialite"),
        "glossaire": reverse("glossary"),
        "connexion": reverse("account_login"),
        "inscription": reverse("account_signup"),
        "mot de passe oublié": reverse("account_reset_password"),
        "demander un code": reverse("account_request_login_code"),
        "page introuvable": "/cette-page-n-existe-pas/",
    }
    for name, url in urls.items():
        page.goto(f"{live_server.url}{url}")
        inspector.check(name, page)

    # The code sent by e-mail: the page that asks for it comes after asking for one.
    page.goto(f"{live_server.url}{reverse('account_request_login_code')}")
    page.get_by_label("E-mail").fill(world["admitted"].learner.user.email)
    page.get_by_role("button").filter(has_text="code").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('account_confirm_login_code')}")
    inspector.check("saisir le code", page)

    inspector.assert_clean([*urls, "saisir le code"])


def test_learner_pages_fit_a_320_px_phone_and_pass_axe(new_context, live_server, world):
    admitted = world["admitted"]
    phone, audit = browsing_and_auditing(new_context, live_server, admitted.learner.user, NARROW_PHONE)
    page, inspector = phone.new_page(), Inspector(audit)
    urls = {
        "mon espace": reverse("inscriptions:espace"),
        "profil": reverse("inscriptions:profil"),
        "questions des financeurs": reverse("inscriptions:questions_financeurs"),
        "candidater, étape 2": reverse("inscriptions:postuler", args=[world["other_session"].pk]),
        "candidature envoyée": reverse("inscriptions:postuler_envoye", args=[admitted.pk]),
        "paiement réussi": reverse("inscriptions:paiement_merci", args=[admitted.pk]),
        "paiement annulé": reverse("inscriptions:paiement_annule", args=[admitted.pk]),
        "supprimer mon compte": reverse("inscriptions:supprimer"),
    }
    for name, url in urls.items():
        page.goto(f"{live_server.url}{url}")
        inspector.check(name, page)
    page.goto(f"{live_server.url}{urls['profil']}")
    page.get_by_label("Prénom").fill("")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    inspector.check("profil avec erreurs", page)

    # Step 1 is for whoever has no profile yet.
    newcomer = new_context(viewport=NARROW_PHONE, java_script_enabled=False)
    newcomer.add_cookies([session_cookie(live_server, UserFactory())])
    first = newcomer.new_page()
    first.goto(f"{live_server.url}{reverse('inscriptions:postuler', args=[world['session'].pk])}")
    expect(first.get_by_text("Étape 1 sur 3")).to_be_visible()
    inspector.check("candidater, étape 1", first)
    first.get_by_role("button", name="Enregistrer et continuer").click()
    expect(first.get_by_role("alert")).to_be_visible()
    inspector.check("candidater, étape 1 avec erreurs", first)

    # Pages opened from an e-mail, without an account: the parent's consent, the follow-up survey.
    minor = LearnerFactory(minor=True)
    ApplicationFactory(learner=minor, session=world["other_session"])
    from_email = new_context(viewport=NARROW_PHONE, java_script_enabled=False).new_page()
    links = {
        "accord parental": reverse("inscriptions:accord_parental", args=[GuardianConsentToken.objects.issue(minor)]),
        "questionnaire de suivi": survey_link(world),
    }
    for name, url in links.items():
        from_email.goto(f"{live_server.url}{url}")
        inspector.check(name, from_email)

    names = [*urls, "profil avec erreurs", "candidater, étape 1", "candidater, étape 1 avec erreurs", *links]
    inspector.assert_clean(names)
