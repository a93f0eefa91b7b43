import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from inscriptions.enums import Availability, QpvResidence
from inscriptions.forms import APPLY_PROFILE_FIELDS
from inscriptions.models import Application, Learner, StatusChange
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, learner_profile_data, years_ago

APPLICATION = {"motivation": "J’aime réparer les ordinateurs de ma famille.", "availability": Availability.FULL}


def apply_url(session):
    return reverse("inscriptions:postuler", args=[session.pk])


@pytest.fixture
def session():
    return SessionFactory()


@pytest.fixture
def learner(client):
    learner = LearnerFactory()
    client.force_login(learner.user)
    return learner


def test_new_user_fills_the_profile_then_the_application(client, session, django_capture_on_commit_callbacks):
    staff = UserFactory(staff_of=session.campus)
    user = UserFactory()
    client.force_login(user)

    page = client.get(apply_url(session)).content.decode()
    assert "Étape 1 sur 3" in page
    assert session.formation.title in page

    response = client.post(apply_url(session), learner_profile_data())
    assert response.status_code == 302
    assert response.url == apply_url(session)
    learner = Learner.objects.get(user=user)
    assert learner.first_name == "Awa"
    assert learner.birth_date == years_ago(20)
    assert learner.consent_version == settings.PRIVACY_NOTICE_VERSION
    assert learner.consent_at is not None

    page = client.get(apply_url(session)).content.decode()
    assert "Étape 2 sur 3" in page
    assert session.campus.title in page
    assert 'enctype="multipart/form-data"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(apply_url(session), APPLICATION)

    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("inscriptions:postuler_envoye", args=[application.pk])
    assert application.learner == learner
    assert application.session == session
    assert application.status == Status.SUBMITTED
    assert application.age_on_submission == 20
    assert StatusChange.objects.filter(application=application).count() == 1
    recipients = [address for message in mail.outbox for address in message.to]
    assert user.email in recipients
    assert staff.email in recipients

    page = client.get(response.url).content.decode()
    assert "Étape 3 sur 3" in page
    assert reverse("inscriptions:espace") in page


def test_profile_step_is_skipped_when_the_profile_is_complete(client, session, learner):
    page = client.get(apply_url(session)).content.decode()

    assert "Étape 2 sur 3" in page
    assert 'name="first_name"' not in page
    assert 'name="motivation"' in page


def test_profile_without_consent_goes_through_the_profile_step(client, session):
    learner = LearnerFactory(no_consent=True)
    client.force_login(learner.user)

    page = client.get(apply_url(session)).content.decode()

    assert "Étape 1 sur 3" in page
    assert 'name="consent"' in page


def test_consent_is_required(client, session):
    user = UserFactory()
    client.force_login(user)

    response = client.post(apply_url(session), learner_profile_data(consent=None))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "cochez la case" in page
    assert not Learner.objects.exists()


def test_a_minor_must_name_a_parent_or_guardian(client, session):
    user = UserFactory()
    client.force_login(user)

    response = client.post(apply_url(session), learner_profile_data(birth_date=years_ago(17).isoformat()))

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"guardian_name", "guardian_email"}
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_guardian_email_error"' in page
    assert not Learner.objects.exists()


def test_a_minor_with_guardian_applies_and_the_parent_is_asked(client, session, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    client.post(
        apply_url(session),
        learner_profile_data(
            birth_date=years_ago(17).isoformat(), guardian_name="Fatou Diallo", guardian_email="fatou@famille.fr"
        ),
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(apply_url(session), APPLICATION)

    assert Application.objects.filter(learner__user=user).exists()
    assert any(message.to == ["fatou@famille.fr"] for message in mail.outbox)


def test_under_16_is_refused_by_the_profile(client, session):
    client.force_login(UserFactory())

    response = client.post(apply_url(session), learner_profile_data(birth_date=years_ago(15).isoformat()))

    assert "birth_date" in response.context["form"].errors


def test_the_profile_step_asks_only_what_the_campus_needs_to_decide(client, session):
    client.force_login(UserFactory())

    form = client.get(apply_url(session)).context["form"]

    assert list(form.fields) == [*APPLY_PROFILE_FIELDS, "consent"]
    assert len(form.fields) <= 12


def test_required_radios_start_with_nothing_checked_and_no_empty_choice(client, session):
    client.force_login(UserFactory())

    page = client.get(apply_url(session)).content.decode()

    for name in ("diploma", "situation"):
        assert f'name="{name}" value=""' not in page
        assert not re.search(rf'name="{name}"[^>]*checked', page)
    assert "---------" not in page


def test_posting_the_profile_step_without_a_choice_says_what_to_choose(client, session):
    client.force_login(UserFactory())

    response = client.post(apply_url(session), learner_profile_data(diploma=None, situation=None))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"diploma", "situation"}
    page = response.content.decode()
    assert 'href="#id_diploma_0"' in page
    assert "Choisissez votre plus haut diplôme" in page
    assert "Choisissez la phrase qui décrit votre situation" in page
    assert not Learner.objects.exists()


def test_an_adult_applies_without_the_questions_asked_at_entry(client, session):
    client.force_login(UserFactory())

    client.post(apply_url(session), learner_profile_data())

    learner = Learner.objects.get()
    assert (learner.postcode, learner.commune, learner.gender, learner.referrer) == ("", "", "", "")
    assert learner.qpv_residence == QpvResidence.UNKNOWN
    assert learner.job_seeking_duration == ""


def test_the_guardian_questions_open_only_for_a_known_minor(client, session):
    client.force_login(UserFactory())
    assert '<details class="guardian">' in client.get(apply_url(session)).content.decode()

    response = client.post(apply_url(session), learner_profile_data(birth_date=years_ago(17).isoformat()))

    assert '<details class="guardian" open>' in response.content.decode()


def test_the_application_step_asks_motivation_availability_and_cv_with_nothing_checked(client, session, learner):
    response = client.get(apply_url(session))

    assert [name for name, field in response.context["form"].fields.items() if not field.widget.is_hidden] == [
        "motivation",
        "availability",
        "cv",
    ]
    assert not re.search(r'name="availability"[^>]*checked', response.content.decode())

    response = client.post(apply_url(session), {"motivation": "J’aime l’informatique."})

    assert response.context["form"].errors["availability"] == [
        "Dites si vous êtes disponible sur toute la durée de la session."
    ]
    assert not Application.objects.exists()


def test_duplicate_application_is_refused_and_nothing_is_created(client, session, learner):
    ApplicationFactory(learner=learner, session=session)

    response = client.get(apply_url(session))

    assert response.status_code == 409
    assert "déjà une candidature en cours" in response.content.decode()

    response = client.post(apply_url(session), APPLICATION)

    assert response.status_code == 409
    assert Application.objects.count() == 1


def test_refusal_at_submission_keeps_what_was_typed(client, session, learner, monkeypatch):
    from inscriptions import services

    def refuse(*args, **kwargs):
        raise services.Refused("Vous avez déjà une candidature en cours pour cette session.")

    monkeypatch.setattr(services, "submit_application", refuse)

    response = client.post(apply_url(session), APPLICATION)

    assert response.status_code == 200
    page = response.content.decode()
    assert "déjà une candidature en cours" in page
    assert "J’aime réparer les ordinateurs de ma famille." in page
    assert not Application.objects.exists()


def test_withdrawn_application_does_not_block_a_new_one(client, session, learner):
    from inscriptions import services
    from inscriptions.workflow import Role

    previous = ApplicationFactory(learner=learner, session=session)
    services.change_status(previous, Status.WITHDRAWN, role=Role.LEARNER, actor=learner.user)

    response = client.post(apply_url(session), APPLICATION)

    assert response.status_code == 302
    assert Application.objects.filter(learner=learner, status=Status.SUBMITTED).count() == 1


@pytest.mark.parametrize("trait", ["closed", "deadline_passed", "past"])
def test_session_not_accepting_applications_shows_an_explanation(client, learner, trait):
    session = SessionFactory(**{trait: True})

    response = client.get(apply_url(session))

    assert response.status_code == 200
    assert "Les candidatures sont fermées pour cette session." in response.content.decode()
    assert client.post(apply_url(session), APPLICATION).status_code == 200
    assert not Application.objects.exists()


def test_full_session_still_accepts_applications_for_the_waitlist(client, learner):
    session = SessionFactory(full=True)

    page = client.get(apply_url(session)).content.decode()

    assert "liste d’attente" in page
    assert client.post(apply_url(session), APPLICATION).status_code == 302


def test_unknown_session_is_404(client, learner):
    assert client.get(reverse("inscriptions:postuler", args=[999_999])).status_code == 404


def test_anonymous_visitor_is_sent_to_login_and_back(client, session):
    response = client.get(apply_url(session))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={apply_url(session)}"


def test_another_learner_cannot_see_my_confirmation(client, session):
    application = ApplicationFactory(session=session)
    client.force_login(LearnerFactory().user)

    response = client.get(reverse("inscriptions:postuler_envoye", args=[application.pk]))

    assert response.status_code == 404


def test_formation_page_offers_to_apply_to_open_sessions_only(client, session):
    closed = SessionFactory(formation=session.formation, closed=True)
    full = SessionFactory(
        formation=session.formation, full=True, start_date=timezone.localdate() + datetime.timedelta(days=60)
    )

    page = client.get(session.formation.url).content.decode()

    assert apply_url(session) in page
    assert apply_url(full) in page
    assert apply_url(closed) not in page
    assert "liste d’attente" in page


# --- In a real Chromium, on a phone, without JavaScript -------------------------------------------

PHONE = {"width": 360, "height": 740}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_young_person_signs_up_and_applies_on_a_phone_without_javascript(new_context, live_server):
    session = SessionFactory()
    context = new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{session.formation.url}")
    page.get_by_role("link", name="Postuler").click()

    expect(page.get_by_role("heading", level=1, name="Se connecter")).to_be_visible()
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("E-mail").fill("awa@exemple.fr")
    page.get_by_label("Mot de passe").fill("une-phrase-de-passe-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    code = re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]+)?)\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Valider le code").click()

    expect(page.get_by_text("Étape 1 sur 3")).to_be_visible()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    data = learner_profile_data()
    for name in ("first_name", "last_name"):
        page.locator(f"[name={name}]").fill(data[name])
    page.locator("[name=birth_date]").fill(years_ago(20).isoformat())
    page.get_by_label("CAP ou BEP", exact=True).check()
    page.get_by_label("Je cherche un emploi, inscrit·e à France Travail").check()
    page.get_by_label("J’ai lu la notice de confidentialité", exact=False).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_text("Étape 2 sur 3")).to_be_visible()
    page.get_by_label("Votre motivation").fill("J’aime réparer les ordinateurs de ma famille.")
    page.get_by_label("Je suis disponible sur toute la durée de la session").check()
    page.get_by_role("button", name="Envoyer ma candidature").click()

    expect(page.get_by_role("heading", level=1, name="C’est envoyé !")).to_be_visible()
    page.get_by_role("link", name="Aller dans mon espace").click()
    expect(page.get_by_role("heading", level=3, name=session.formation.title)).to_be_visible()
    assert Application.objects.filter(learner__user__email="awa@exemple.fr").count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_learner_pages_have_no_wcag_aa_violation(new_context, live_server):
    session = SessionFactory(full=True)
    learner = LearnerFactory(minor=True)
    ApplicationFactory(learner=learner)
    fresh = UserFactory()
    # Axe is injected as a script: bypass the site's strict Content Security Policy for the audit only.
    context = new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    checked = {}
    for path in (reverse("account_login"), reverse("account_signup"), reverse("inscriptions:confidentialite")):
        page.goto(f"{live_server.url}{path}")
        checked[path] = axe_violations(page)

    page.goto(f"{live_server.url}{reverse('account_login')}")
    page.get_by_label("E-mail").fill(fresh.email)
    page.get_by_label("Mot de passe").fill("faux")
    page.get_by_role("button", name="Se connecter").click()
    checked["connexion avec erreur"] = axe_violations(page)

    context.add_cookies([_session_cookie(fresh, live_server)])
    page.goto(f"{live_server.url}{apply_url(session)}")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    checked["étape 1 avec erreurs"] = axe_violations(page)

    context.add_cookies([_session_cookie(learner.user, live_server)])
    for path in (apply_url(session), reverse("inscriptions:espace"), reverse("inscriptions:supprimer")):
        page.goto(f"{live_server.url}{path}")
        checked[path] = axe_violations(page)

    assert {name: found for name, found in checked.items() if found} == {}


def _session_cookie(user, live_server):
    from django.conf import settings as django_settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
