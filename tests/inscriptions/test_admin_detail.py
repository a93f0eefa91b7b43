"""One application in the staff's back office: profile, history, transitions, notes, consent, follow-ups, CV."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import FollowUpMilestone, GuardianConsentMethod, Nationality, Placement, YesNoUnsaid
from inscriptions.models import FollowUp, StaffNote, StatusChange
from inscriptions.workflow import Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import RomeCodeFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, LearnerFactory, move_to

PDF = b"%PDF-1.4\n% CV de test\n"


@pytest.fixture
def session_a():
    return SessionFactory(formation__title="Développeur web et web mobile")


@pytest.fixture
def session_b():
    return SessionFactory(formation__title="Technicien supérieur systèmes et réseaux")


@pytest.fixture
def staff_a(client, session_a):
    user = UserFactory(staff_of=session_a.campus, first_name="Awa", last_name="Diallo")
    client.force_login(user)
    return user


@pytest.fixture
def application(session_a):
    return ApplicationFactory(
        session=session_a,
        learner__first_name="Inès",
        learner__last_name="Moreau",
        constraints="Garde d’enfants le mercredi",
    )


@pytest.fixture
def application_b(session_b):
    application = ApplicationFactory(session=session_b, learner=LearnerFactory(minor=True))
    application.cv.save("cv.pdf", ContentFile(PDF))
    return application


def url(name, application):
    return reverse(f"inscriptions_admin:{name}", args=[application.pk])


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def history_of(application):
    return list(application.history.values_list("from_status", "to_status", "role"))


# --- Nobody sees another campus's applicant -----------------------------------------------------

OBJECT_POSTS = {
    "transition": {"target": Status.UNDER_REVIEW, "comment": ""},
    "add_note": {"text": "Note pirate"},
    "guardian_consent": {},
    "follow_up": {"milestone": "0", "placement": Placement.CDI},
    "entry_profile": {"postcode": "75001", "commune": "Paris"},
}


@pytest.mark.parametrize("view", ["detail", "cv"])
def test_staff_of_another_campus_get_404_on_reading(client, staff_a, application_b, view):
    assert client.get(url(view, application_b)).status_code == 404


@pytest.mark.parametrize("view", list(OBJECT_POSTS))
def test_staff_of_another_campus_get_404_on_every_action_and_nothing_changes(client, staff_a, application_b, view):
    before = history_of(application_b)

    response = client.post(url(view, application_b), OBJECT_POSTS[view])

    assert response.status_code == 404
    application_b.refresh_from_db()
    application_b.learner.refresh_from_db()
    assert application_b.status == Status.SUBMITTED
    assert history_of(application_b) == before
    assert not StaffNote.objects.exists()
    assert not FollowUp.objects.exists()
    assert application_b.learner.guardian_consent_at is None
    assert application_b.learner.postcode == "93300"


@pytest.mark.parametrize("view", ["detail", "cv", *OBJECT_POSTS])
def test_a_learner_gets_nothing_from_the_back_office(client, application_b, view):
    client.force_login(application_b.learner.user)

    response = client.post(url(view, application_b), OBJECT_POSTS.get(view, {}))

    assert response.status_code == 403
    application_b.refresh_from_db()
    assert application_b.status == Status.SUBMITTED
    assert client.get(url(view, application_b)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, application_b):
    response = client.get(url("cv", application_b))

    assert response.status_code == 302
    assert response.url.startswith(f"{reverse('account_login')}?next=")


# --- Reading ------------------------------------------------------------------------------------


def test_the_detail_never_shows_the_pseudonym_key_nor_the_retention_bookkeeping(client, staff_a, application):
    application.learner.inactivity_warned_at = timezone.now()
    application.learner.save()

    content = client.get(url("detail", application)).content.decode()

    assert str(application.learner.pseudonym_id) not in content
    assert "identifiant de pseudonymisation" not in content
    assert "prévenu·e de l’inactivité" not in content


def test_the_detail_shows_profile_application_and_history(client, staff_a, application):
    response = client.get(url("detail", application))

    assert response.status_code == 200
    content = response.content.decode()
    for text in [
        "Inès",
        "Moreau",
        "Date de naissance",
        "Plus haut diplôme obtenu",
        "CAP ou BEP (niveau 3)",
        "20 ans aujourd’hui",
        "20 ans à la candidature",
        application.motivation,
        "Garde d’enfants le mercredi",
        "Pas de CV joint",
        "Historique",
        "Candidat·e",
    ]:
        assert text in content, text


def test_the_detail_offers_the_staff_transitions_as_buttons(client, staff_a, application):
    content = client.get(url("detail", application)).content.decode()

    for label in ["Commencer l’étude", "Admettre", "Mettre en liste d’attente", "Ne pas retenir"]:
        assert label in content
    assert "la raison est alors obligatoire et transmise à la personne" in content
    assert 'name="target" value="admitted"' in content
    assert "Début de la formation" not in content
    assert "Confirmer l’inscription" not in content


def test_the_detail_links_to_the_cv(client, staff_a, application):
    application.cv.save("cv.pdf", ContentFile(PDF))

    content = client.get(url("detail", application)).content.decode()

    assert url("cv", application) in content


def test_a_minor_without_consent_is_shown_with_the_paper_consent_button(client, staff_a, session_a):
    application = ApplicationFactory(session=session_a, learner=LearnerFactory(minor=True))

    content = client.get(url("detail", application)).content.decode()

    assert "Mineur·e : accord parental attendu" in content
    assert "Enregistrer l’accord parental reçu sur papier" in content


# --- Transitions --------------------------------------------------------------------------------


def test_an_allowed_transition_moves_the_application_and_writes_history(client, staff_a, application):
    response = client.post(url("transition", application), {"target": Status.UNDER_REVIEW, "comment": "Appel prévu"})

    assert response.status_code == 302
    assert response.url == url("detail", application)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    change = application.history.last()
    assert (change.from_status, change.to_status, change.role, change.actor, change.comment) == (
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Role.STAFF,
        staff_a,
        "Appel prévu",
    )
    assert message_texts(response) == ["Inès Moreau : candidature « En cours d’étude »."]


def test_admitting_into_a_full_session_waitlists_and_says_so(client, staff_a, session_a):
    session_a.capacity = 1
    session_a.save()
    move_to(ApplicationFactory(session=session_a), Status.ADMITTED, actor=staff_a)
    application = ApplicationFactory(session=session_a, learner__first_name="Yanis", learner__last_name="Haddad")

    response = client.post(url("transition", application), {"target": Status.ADMITTED})

    application.refresh_from_db()
    assert application.status == Status.WAITLISTED
    assert message_texts(response) == ["La session est complète : candidature mise en liste d’attente (Yanis Haddad)."]


@pytest.mark.parametrize("target", [Status.IN_TRAINING, Status.CLOSED, Status.CERTIFIED])
def test_a_forbidden_transition_posted_by_hand_is_refused_with_the_reason(client, staff_a, application, target):
    before = history_of(application)

    response = client.post(url("transition", application), {"target": target})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert history_of(application) == before
    [message] = message_texts(response)
    assert message.startswith(("Impossible de passer", "« "))


def test_a_refusal_needs_a_comment(client, staff_a, application):
    response = client.post(url("transition", application), {"target": Status.REFUSED, "comment": "  "})

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert message_texts(response) == ["Expliquez la raison en quelques mots : elle est transmise à la personne."]


def test_a_refusal_with_a_comment_is_recorded(client, staff_a, application):
    client.post(url("transition", application), {"target": Status.REFUSED, "comment": "Session déjà complète"})

    application.refresh_from_db()
    assert application.status == Status.REFUSED
    assert application.history.last().comment == "Session déjà complète"


def test_an_unknown_status_is_refused(client, staff_a, application):
    response = client.post(url("transition", application), {"target": "pirate"})

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert len(message_texts(response)) == 1


def test_the_history_is_read_only(client, staff_a, application):
    assert client.get(reverse("inscriptions_admin:index") + f"history/{application.pk}/").status_code == 404
    assert client.post(reverse("inscriptions_admin:index") + f"edit/{application.pk}/").status_code == 404
    assert StatusChange.objects.filter(application=application).count() == 1


# --- Notes --------------------------------------------------------------------------------------


def test_staff_add_a_note_shown_with_its_author(client, staff_a, application):
    response = client.post(url("add_note", application), {"text": "  A rappelé le 12, très motivée.  "})

    assert response.status_code == 302
    note = StaffNote.objects.get()
    assert (note.application, note.author, note.text) == (application, staff_a, "A rappelé le 12, très motivée.")
    content = client.get(url("detail", application)).content.decode()
    assert "A rappelé le 12, très motivée." in content
    assert "Awa Diallo" in content


def test_an_empty_note_is_refused(client, staff_a, application):
    response = client.post(url("add_note", application), {"text": "   "})

    assert response.status_code == 200
    assert response.context["note_form"].errors
    assert not StaffNote.objects.exists()


# --- Guardian consent ---------------------------------------------------------------------------


def test_paper_guardian_consent_is_recorded_then_admission_works(client, staff_a, session_a):
    application = ApplicationFactory(session=session_a, learner=LearnerFactory(minor=True))
    refused = client.post(url("transition", application), {"target": Status.ADMITTED})
    assert "accord d’un parent" in message_texts(refused)[0]

    response = client.post(url("guardian_consent", application))

    assert response.status_code == 302
    learner = application.learner
    learner.refresh_from_db()
    assert learner.guardian_consent_method == GuardianConsentMethod.PAPER
    assert learner.guardian_consent_recorded_by == staff_a
    assert learner.guardian_consent_at is not None
    client.post(url("transition", application), {"target": Status.ADMITTED})
    application.refresh_from_db()
    assert application.status == Status.ADMITTED


def test_paper_consent_does_not_overwrite_a_consent_already_given(client, staff_a, session_a):
    given_at = timezone.now() - datetime.timedelta(days=3)
    learner = LearnerFactory(
        minor=True, guardian_consent_at=given_at, guardian_consent_method=GuardianConsentMethod.EMAIL
    )
    application = ApplicationFactory(session=session_a, learner=learner)

    client.post(url("guardian_consent", application))

    learner.refresh_from_db()
    assert (learner.guardian_consent_at, learner.guardian_consent_method) == (given_at, GuardianConsentMethod.EMAIL)


# --- Follow-ups ---------------------------------------------------------------------------------


@pytest.fixture
def completed(staff_a, session_a):
    return move_to(ApplicationFactory(session=session_a), Status.COMPLETED, actor=staff_a)


def test_the_follow_up_form_appears_once_the_learner_has_left(client, staff_a, application, completed):
    assert "Enregistrer le suivi" not in client.get(url("detail", application)).content.decode()
    content = client.get(url("detail", completed)).content.decode()
    assert "Enregistrer le suivi" in content
    assert "À 12 mois" in content


def test_staff_record_the_exit_follow_up(client, staff_a, completed):
    rome = RomeCodeFactory(code="M1805", label="Études et développement informatique")

    response = client.post(
        url("follow_up", completed),
        {
            "milestone": FollowUpMilestone.EXIT,
            "placement": Placement.CDI,
            "employer": "Coopérative numérique",
            "job_title": "Développeuse web",
            "rome": "m1805",
            "start_date": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.application, follow_up.milestone, follow_up.placement, follow_up.rome) == (
        completed,
        FollowUpMilestone.EXIT,
        Placement.CDI,
        rome,
    )
    assert follow_up.recorded_by == staff_a
    assert "Coopérative numérique" in client.get(url("detail", completed)).content.decode()


def test_a_follow_up_too_early_is_refused_with_the_reason(client, staff_a, completed):
    response = client.post(
        url("follow_up", completed), {"milestone": FollowUpMilestone.TWELVE_MONTHS, "placement": Placement.CDI}
    )

    assert response.status_code == 200
    assert "Ce suivi pourra être saisi à partir du" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_an_unknown_rome_code_is_refused(client, staff_a, completed):
    response = client.post(
        url("follow_up", completed),
        {"milestone": FollowUpMilestone.EXIT, "placement": Placement.CDI, "rome": "Z9999"},
    )

    assert response.status_code == 200
    assert response.context["follow_up_form"].errors["rome"] == ["Ce code ROME n’existe pas."]
    assert not FollowUp.objects.exists()


def test_a_follow_up_before_leaving_is_refused(client, staff_a, application):
    response = client.post(url("follow_up", application), {"milestone": FollowUpMilestone.EXIT, "placement": "cdi"})

    assert "Le suivi se fait après la sortie de formation." in response.content.decode()
    assert not FollowUp.objects.exists()


def test_a_recorded_follow_up_can_be_corrected(client, staff_a, completed):
    FollowUpFactory(application=completed, placement=Placement.JOB_SEEKING)

    client.post(url("follow_up", completed), {"milestone": FollowUpMilestone.EXIT, "placement": Placement.ALTERNANCE})

    assert FollowUp.objects.get().placement == Placement.ALTERNANCE


# --- CV -----------------------------------------------------------------------------------------


def test_staff_download_the_cv_under_a_neutral_name(client, staff_a, application):
    application.cv.save("Ines-Moreau-CV.pdf", ContentFile(PDF))

    response = client.get(url("cv", application))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="cv-{application.pk}.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_a_superuser_downloads_any_cv(client, application_b):
    client.force_login(UserFactory(superuser=True))

    response = client.get(url("cv", application_b))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_no_cv_answers_404(client, staff_a, application):
    assert client.get(url("cv", application)).status_code == 404


def test_a_cv_missing_from_storage_answers_404(client, staff_a, application):
    application.cv.save("cv.pdf", ContentFile(PDF))
    application.cv.storage.delete(application.cv.name)

    assert client.get(url("cv", application)).status_code == 404


def test_a_superuser_opens_and_moves_any_campus_application(client, application_b):
    client.force_login(UserFactory(superuser=True))

    assert client.get(url("detail", application_b)).status_code == 200
    client.post(url("transition", application_b), {"target": Status.UNDER_REVIEW})

    application_b.refresh_from_db()
    assert application_b.status == Status.UNDER_REVIEW


def test_the_detail_keeps_the_esf_answers_and_rqth_out_of_the_decision(client, staff_a, session_a):
    learner = LearnerFactory(
        nationality=Nationality.OTHER,
        foreign_background=YesNoUnsaid.YES,
        rqth=True,
        housing_exclusion=True,
        rural_area=True,
    )
    application = ApplicationFactory(learner=learner, session=session_a)

    content = client.get(url("detail", application)).content.decode().lower()
    # Random tokens (CSRF) may hold any letters: the labels are looked for as words.
    words = set(re.findall(r"\w+", content))

    for label in ["nationalité", "parents est-il né", "sans logement", "zone rurale"]:
        assert label not in content, label
    assert "rqth" not in words
    assert "admettre" in content
