import io
import itertools
import json
import zipfile
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from inscriptions import services
from inscriptions.models import Application, GuardianConsentToken, Learner, StatusChange
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, learner_profile_data, move_to

ESPACE = reverse("inscriptions:espace")


def action_url(application, action):
    return reverse("inscriptions:candidature_action", args=[application.pk, action])


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def learner(client):
    learner = LearnerFactory(first_name="Awa")
    client.force_login(learner.user)
    return learner


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def session():
    return SessionFactory(capacity=1)


@override_settings(PRIVACY_NOTICE_VERSION="2027-01")
def test_privacy_notice_is_public_and_shows_its_version(client):
    response = client.get(reverse("inscriptions:confidentialite"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Version 2027-01" in page
    # Funders get figures and a pseudonymised file: the notice must not promise "only anonymous figures".
    assert "un fichier des participant·es sous pseudonyme" in page
    assert "Ils ne reçoivent que des chiffres anonymes" not in page


def test_anonymous_visitor_is_asked_to_log_in(client):
    response = client.get(ESPACE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_lists_my_applications_with_status_and_next_step(client, learner, session):
    ApplicationFactory(learner=learner, session=session)
    ApplicationFactory(session=session)

    page = client.get(ESPACE).content.decode()

    assert session.formation.title in page
    assert session.campus.title in page
    assert "Envoyée" in page
    assert "L’équipe du campus va l’étudier." in page
    assert page.count('class="application"') == 1
    assert "Retirer ma candidature" in page
    assert "Confirmer ma place" not in page


def test_waitlisted_application_shows_its_position(client, learner, session, staff):
    move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff)
    mine = move_to(ApplicationFactory(learner=learner, session=session), Status.WAITLISTED, actor=staff)

    page = client.get(ESPACE).content.decode()

    assert mine.waitlist_position == 2
    assert "position 2 sur la liste d’attente" in page


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Status.SUBMITTED, False),
        (Status.WAITLISTED, False),
        (Status.ADMITTED, True),
        (Status.ENROLLED, True),
        (Status.IN_TRAINING, False),
    ],
)
def test_a_seat_comes_with_the_address_hours_and_first_day(client, learner, status, shown):
    session = SessionFactory(
        capacity=5,
        schedule_details="Du lundi au jeudi, de 9 h à 16 h",
        venue_address="5 rue Réaumur, 93300 Aubervilliers",
        first_day_details="Arrivez à 9 h ; Samia vous accueille.\nApportez une pièce d’identité.",
    )
    move_to(ApplicationFactory(learner=learner, session=session), status, actor=UserFactory(staff_of=session.campus))

    page = client.get(ESPACE).content.decode()

    for fact in (
        "Du lundi au jeudi, de 9 h à 16 h",
        "5 rue Réaumur, 93300 Aubervilliers",
        "Arrivez à 9 h ; Samia vous accueille.<br>Apportez une pièce d’identité.",
    ):
        assert (fact in page) is shown, fact


def test_without_a_place_of_its_own_the_session_is_at_the_campus(client, learner):
    session = SessionFactory(capacity=5)
    session.campus.street_address, session.campus.postcode, session.campus.commune = (
        "12 rue du Landy",
        "93300",
        "Aubervilliers",
    )
    session.campus.save()
    staff = UserFactory(staff_of=session.campus)
    move_to(ApplicationFactory(learner=learner, session=session), Status.ENROLLED, actor=staff)

    assert "12 rue du Landy, 93300 Aubervilliers" in client.get(ESPACE).content.decode()


def test_confirming_my_seat_enrolls_me(client, learner, session, staff):
    application = move_to(ApplicationFactory(learner=learner, session=session), Status.ADMITTED, actor=staff)

    assert "Confirmer ma place" in client.get(ESPACE).content.decode()
    response = client.post(action_url(application, "confirmer"))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.ENROLLED
    change = application.history.latest("created_at")
    assert (change.role, change.actor) == ("learner", learner.user)


def test_withdrawing_asks_for_confirmation_then_frees_the_seat_for_the_waitlist(client, learner, session, staff):
    mine = move_to(ApplicationFactory(learner=learner, session=session), Status.ADMITTED, actor=staff)
    waiting = move_to(ApplicationFactory(session=session), Status.WAITLISTED, actor=staff)

    page = client.get(action_url(mine, "retirer"))
    assert page.status_code == 200
    assert "Oui, retirer ma candidature" in page.content.decode()
    mine.refresh_from_db()
    assert mine.status == Status.ADMITTED

    client.post(action_url(mine, "retirer"))

    mine.refresh_from_db()
    waiting.refresh_from_db()
    session.refresh_from_db()
    assert mine.status == Status.WITHDRAWN
    assert waiting.status == Status.ADMITTED
    assert session.seats_taken == 1


def test_an_action_the_status_does_not_allow_changes_nothing(client, learner, session):
    application = ApplicationFactory(learner=learner, session=session)

    response = client.post(action_url(application, "confirmer"), follow=True)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert "n’est plus possible" in response.content.decode()


def test_a_refusal_from_the_rules_is_shown_as_a_message(client, learner, session, monkeypatch):
    application = ApplicationFactory(learner=learner, session=session)

    def refuse(*args, **kwargs):
        raise services.Refused("La session a déjà commencé.")

    monkeypatch.setattr(services, "change_status", refuse)

    response = client.post(action_url(application, "retirer"), follow=True)

    assert "La session a déjà commencé." in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_learner_cannot_act_on_someone_elses_application(client, learner, session, method):
    other = ApplicationFactory(session=session)

    response = getattr(client, method)(action_url(other, "retirer"))

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Status.SUBMITTED


def test_unknown_action_is_404(client, learner, session):
    application = ApplicationFactory(learner=learner, session=session)

    assert client.post(action_url(application, "admettre")).status_code == 404


def test_user_without_profile_is_invited_to_fill_it(client):
    client.force_login(UserFactory())

    page = client.get(ESPACE).content.decode()

    assert "Complétez votre profil" in page
    assert reverse("inscriptions:profil") in page


def test_staff_without_profile_only_sees_the_invitation(client, session):
    client.force_login(UserFactory(staff_of=session.campus))

    response = client.get(ESPACE)

    assert response.status_code == 200
    assert "Complétez votre profil" in response.content.decode()


def test_creating_then_editing_my_profile(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("inscriptions:profil"), learner_profile_data())
    assert response.status_code == 302
    assert response.url == ESPACE
    learner = Learner.objects.get(user=user)
    assert learner.has_consented

    data = learner_profile_data(commune="Saint-Denis", postcode="93200")
    del data["consent"]
    response = client.post(f"{reverse('inscriptions:profil')}?next=/inscriptions/sessions/1/postuler/", data)

    assert response.url == "/inscriptions/sessions/1/postuler/"
    learner.refresh_from_db()
    assert learner.commune == "Saint-Denis"


def test_profile_ignores_a_next_to_another_site(client, learner):
    data = learner_profile_data()
    response = client.post(f"{reverse('inscriptions:profil')}?next=https://exemple.com/", data)

    assert response.url == ESPACE


def test_export_of_my_data_is_a_zip_attachment_with_my_data_as_json(client, learner, session):
    ApplicationFactory(learner=learner, session=session, motivation="J’adore le numérique.")

    response = client.get(reverse("inscriptions:mes_donnees"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="tremplin-mes-donnees.zip"'
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["mes-donnees.json"]
    data = json.loads(archive.read("mes-donnees.json"))
    assert data["compte"]["e-mail"] == learner.user.email
    assert data["profil"]["prénom"] == "Awa"
    assert data["candidatures"][0]["motivation"] == "J’adore le numérique."
    assert data["candidatures"][0]["formation"] == session.formation.title


def test_deleting_my_account_needs_the_checkbox(client, learner):
    response = client.post(reverse("inscriptions:supprimer"), {})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert get_user_model().objects.filter(pk=learner.user.pk).exists()


def test_deleting_my_account_erases_me_but_keeps_anonymous_counts(client, learner, session, staff):
    application = move_to(ApplicationFactory(learner=learner, session=session), Status.ADMITTED, actor=staff)
    user_pk = learner.user.pk
    counts = (Application.objects.count(), StatusChange.objects.count(), Learner.objects.count())

    assert "définitive" in client.get(reverse("inscriptions:supprimer")).content.decode()
    response = client.post(reverse("inscriptions:supprimer"), {"understood": "on"})

    assert response.status_code == 302
    assert response.url == reverse("inscriptions:au_revoir")
    assert not get_user_model().objects.filter(pk=user_pk).exists()
    learner.refresh_from_db()
    assert learner.anonymised_at is not None
    assert learner.first_name == learner.last_name == ""
    assert learner.birth_date is None
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert application.motivation == ""
    assert application.age_on_submission == 20
    assert Application.objects.count() == counts[0]
    assert Learner.objects.count() == counts[2]
    assert StatusChange.objects.count() == counts[1] + 1
    assert "_auth_user_id" not in client.session
    assert client.get(response.url).status_code == 200


def test_a_user_without_profile_can_delete_the_account(client):
    user = UserFactory()
    client.force_login(user)

    client.post(reverse("inscriptions:supprimer"), {"understood": "on"})

    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_campus_staff_cannot_delete_their_account_from_the_public_site(client, session, staff):
    client.force_login(staff)

    response = client.post(reverse("inscriptions:supprimer"), {"understood": "on"})

    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=staff.pk).exists()


def test_minor_waiting_for_consent_can_resend_the_email_once_per_ten_minutes(client, session):
    learner = LearnerFactory(minor=True)
    client.force_login(learner.user)

    page = client.get(ESPACE).content.decode()
    assert "En attente de l’accord de votre parent ou tuteur" in page
    assert "Renvoyer l’e-mail" in page

    client.post(reverse("inscriptions:renvoyer_accord"))
    response = client.post(reverse("inscriptions:renvoyer_accord"), follow=True)

    assert [message.to for message in mail.outbox] == [["parent@famille.example"]]
    assert "moins de 10 minutes" in response.content.decode()


def test_resend_is_post_only(client, session):
    client.force_login(LearnerFactory(minor=True).user)

    assert client.get(reverse("inscriptions:renvoyer_accord")).status_code == 405


def test_adult_has_no_parental_consent_block(client, learner):
    assert "accord de votre parent" not in client.get(ESPACE).content.decode()


# --- Every page added for learners: one h1, headings in order, every field labelled, no inline code ----


class PageAudit(HTMLParser):
    FIELDS = {"input", "select", "textarea"}
    UNLABELLED_INPUTS = {"hidden", "submit", "button"}

    def __init__(self):
        super().__init__()
        self.headings, self.fields, self.label_for, self.ids = [], [], set(), set()
        self.inline_code, self.open_labels = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if "style" in attrs or (tag == "script" and attrs.get("type") != "application/ld+json") or tag == "style":
            self.inline_code.append(tag)
        if any(name.startswith("on") for name in attrs):
            self.inline_code.append(tag)
        if tag in self.FIELDS and attrs.get("type") not in self.UNLABELLED_INPUTS:
            self.fields.append((attrs, self.open_labels > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def problems(self):
        found = []
        if self.headings.count(1) != 1:
            found.append(f"{self.headings.count(1)} h1")
        for previous, current in itertools.pairwise([1, *self.headings[1:]]):
            if current > previous + 1:
                found.append(f"h{previous} suivi de h{current}")
        for attrs, wrapped in self.fields:
            if not wrapped and attrs.get("id") not in self.label_for:
                found.append(f"champ sans étiquette : {attrs.get('name')}")
            for described_by in attrs.get("aria-describedby", "").split():
                if described_by not in self.ids:
                    found.append(f"aria-describedby vers un id absent : {described_by}")
        if self.inline_code:
            found.append(f"code en ligne : {self.inline_code}")
        return found


def audit(response):
    assert response.status_code in {200, 403, 404, 409}, response.status_code
    parser = PageAudit()
    parser.feed(response.content.decode())
    return parser.problems()


def learner_pages(client):
    session = SessionFactory()
    staff = UserFactory(staff_of=session.campus)
    newcomer = UserFactory()
    client.force_login(newcomer)
    yield "espace sans profil", client.get(ESPACE)
    yield "étape 1", client.get(reverse("inscriptions:postuler", args=[session.pk]))
    yield "étape 1 avec erreurs", client.post(reverse("inscriptions:postuler", args=[session.pk]), {})
    yield "profil vide", client.get(reverse("inscriptions:profil"))
    client.post(reverse("inscriptions:postuler", args=[session.pk]), learner_profile_data())
    yield "étape 2", client.get(reverse("inscriptions:postuler", args=[session.pk]))
    yield "étape 2 avec erreurs", client.post(reverse("inscriptions:postuler", args=[session.pk]), {})
    response = client.post(
        reverse("inscriptions:postuler", args=[session.pk]), {"motivation": "Oui", "availability": "complete"}
    )
    yield "étape 3", client.get(response.url)
    yield "déjà candidat·e", client.get(reverse("inscriptions:postuler", args=[session.pk]))
    yield "session fermée", client.get(reverse("inscriptions:postuler", args=[SessionFactory(closed=True).pk]))
    application = Application.objects.get(learner__user=newcomer)
    move_to(application, Status.ADMITTED, actor=staff)
    yield "espace", client.get(ESPACE)
    yield "profil", client.get(reverse("inscriptions:profil"))
    yield "retirer", client.get(action_url(application, "retirer"))
    yield "confirmer", client.get(action_url(application, "confirmer"))
    yield "supprimer", client.get(reverse("inscriptions:supprimer"))
    yield "supprimer avec erreur", client.post(reverse("inscriptions:supprimer"), {})
    yield "confidentialité", client.get(reverse("inscriptions:confidentialite"))
    yield "changer de mot de passe", client.get(reverse("account_change_password"))
    yield "déconnexion", client.get(reverse("account_logout"))
    client.logout()
    minor = LearnerFactory(minor=True)
    ApplicationFactory(learner=minor, session=session)
    url = reverse("inscriptions:accord_parental", args=[GuardianConsentToken.objects.issue(minor)])
    yield "accord parental", client.get(url)
    yield "accord parental avec erreurs", client.post(url, {})
    yield "accord parental donné", client.post(url, {"guardian_name": "Parent", "agree": "on"})
    yield "accord parental déjà donné", client.get(url)
    yield "lien d’accord invalide", client.get(reverse("inscriptions:accord_parental", args=["faux"]))
    yield "au revoir", client.get(reverse("inscriptions:au_revoir"))
    yield "connexion", client.get(reverse("account_login"))
    yield "connexion avec erreurs", client.post(reverse("account_login"), {"login": "x@exemple.fr", "password": "x"})
    yield "création de compte", client.get(reverse("account_signup"))
    yield "création de compte avec erreurs", client.post(reverse("account_signup"), {"email": "pas-un-email"})
    yield "code de connexion", client.get(reverse("account_request_login_code"))
    yield "mot de passe oublié", client.get(reverse("account_reset_password"))
    client.post(reverse("account_signup"), {"email": "nouveau@exemple.fr", "password1": "une-phrase-de-passe-2026"})
    yield "code de vérification", client.get(reverse("account_email_verification_sent"))
    yield "code de vérification faux", client.post(reverse("account_email_verification_sent"), {"code": "AAAAAA"})


def test_every_learner_page_has_one_h1_ordered_headings_and_labelled_fields(client):
    problems = {name: audit(response) for name, response in learner_pages(client)}

    assert len(problems) == 32
    assert {name: found for name, found in problems.items() if found} == {}
