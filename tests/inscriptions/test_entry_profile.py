"""What is not asked to apply is asked before the training starts: by the learner on « Avant le début de la
formation », or by staff with her on the application's page; what is still missing at entry is recorded unknown."""

import pytest
from django.urls import reverse

from financeurs.indicators import Period
from financeurs.participant_file import ParticipantResource
from inscriptions.enums import Gender, JobSeekingDuration, QpvResidence, Referrer, Situation
from inscriptions.models import EntryAnswers
from inscriptions.services import start
from inscriptions.workflow import Role, Status
from tests.campus.factories import QpvFactory, UserFactory
from tests.financeurs.factories import AgreementFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import (
    ApplicationFactory,
    LearnerFactory,
    entry_profile_data,
    full_profile_data,
    learner_profile_data,
    move_to,
)

PAGE = reverse("inscriptions:questions_financeurs")
# What a person who only applied has: the facts asked at entry still blank.
NOT_ASKED_YET = {
    "gender": "",
    "postcode": "",
    "commune": "",
    "qpv_residence": QpvResidence.UNKNOWN,
    "qpv": None,
    "job_seeking_duration": "",
    "referrer": "",
    "referrer_detail": "",
}


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def learner():
    """Someone who applied with the short form: nothing asked at entry is known yet."""
    return LearnerFactory(**NOT_ASKED_YET)


def at(learner, session, staff, status):
    return move_to(ApplicationFactory(learner=learner, session=session), status, actor=staff)


def answers_data(**overrides):
    data = dict.fromkeys(("rqth", "nationality", "foreign_background", "housing_exclusion", "rural_area"), "")
    return {**data, **overrides}


def detail_url(application, name="detail"):
    return reverse(f"inscriptions_admin:{name}", args=[application.pk])


# --- The learner, once she has a place ----------------------------------------------------------------


def test_the_page_asks_her_situation_then_the_funders_questions(client, learner, session, staff):
    at(learner, session, staff, Status.ADMITTED)
    client.force_login(learner.user)

    page = client.get(PAGE).content.decode()

    assert "<h1>Avant le début de la formation</h1>" in page
    situation, questions = page.split("1. Votre situation")[1].split("2. Quelques questions pour les financeurs")
    for name in NOT_ASKED_YET:
        assert f'name="profil-{name}"' in situation, name
    assert 'name="profil-named_data_consent"' in situation
    assert 'name="rqth"' in questions
    assert 'name="rqth"' not in situation


def test_she_fills_her_situation_and_the_answers_in_one_go(client, learner, session, staff):
    at(learner, session, staff, Status.ENROLLED)
    client.force_login(learner.user)

    response = client.post(
        PAGE,
        {
            **entry_profile_data("profil-", gender=Gender.FEMALE, referrer=Referrer.ASSOCIATION),
            "profil-named_data_consent": "on",
            **answers_data(rqth="False"),
        },
    )

    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.gender, learner.postcode, learner.commune) == (Gender.FEMALE, "93300", "Aubervilliers")
    assert (learner.referrer, learner.job_seeking_duration) == (
        Referrer.ASSOCIATION,
        JobSeekingDuration.LESS_THAN_6_MONTHS,
    )
    assert learner.named_data_consent_at is not None
    assert EntryAnswers.objects.get(learner=learner).rqth is False


def test_a_mistake_in_her_situation_is_listed_at_the_top_and_nothing_is_saved(client, learner, session, staff):
    at(learner, session, staff, Status.ADMITTED)
    client.force_login(learner.user)

    response = client.post(PAGE, {**entry_profile_data("profil-", postcode="93"), **answers_data(rqth="True")})

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index('class="error-summary"') < page.index("1. Votre situation")
    assert 'href="#id_profil-postcode"' in page
    assert "Un code postal a 5 chiffres." in page
    learner.refresh_from_db()
    assert learner.postcode == ""
    assert not EntryAnswers.objects.exists()


def test_the_qpv_list_follows_the_postcode_she_gives(client, learner, session, staff):
    here = QpvFactory(department="93", name="Quartier du Landy")
    QpvFactory(code="QP075001", department="75", name="Quartier de Paris")
    at(learner, session, staff, Status.ADMITTED)
    client.force_login(learner.user)

    response = client.post(
        PAGE,
        {**entry_profile_data("profil-", qpv_residence=QpvResidence.YES, qpv=str(here.pk)), **answers_data()},
    )

    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.qpv == here
    page = client.get(PAGE).content.decode()
    assert "Quartier du Landy" in page
    assert "Quartier de Paris" not in page


def test_before_having_a_place_the_page_sends_her_back_and_saves_nothing(client, learner, session, staff):
    at(learner, session, staff, Status.SUBMITTED)
    client.force_login(learner.user)

    response = client.post(PAGE, entry_profile_data("profil-"))

    assert response.url == reverse("inscriptions:espace")
    learner.refresh_from_db()
    assert learner.postcode == ""


def test_her_own_profile_page_still_edits_every_fact(client, learner):
    client.force_login(learner.user)

    response = client.post(reverse("inscriptions:profil"), full_profile_data(commune="Pantin", postcode="93500"))

    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.commune, learner.postcode, learner.referrer) == ("Pantin", "93500", Referrer.MISSION_LOCALE)


def test_the_duration_of_job_seeking_is_only_for_a_job_seeker(client, session, staff):
    learner = LearnerFactory(situation=Situation.STUDENT, **NOT_ASKED_YET)
    at(learner, session, staff, Status.ADMITTED)
    client.force_login(learner.user)

    response = client.post(PAGE, {**entry_profile_data("profil-"), **answers_data()})

    assert "job_seeking_duration" in response.context["profile_form"].errors
    response = client.post(reverse("inscriptions:profil"), full_profile_data(situation=Situation.STUDENT))
    assert "job_seeking_duration" in response.context["form"].errors


def test_applying_again_as_a_student_clears_a_job_seeking_duration_given_before(client, session):
    learner = LearnerFactory(no_consent=True, job_seeking_duration=JobSeekingDuration.LESS_THAN_6_MONTHS)
    client.force_login(learner.user)

    response = client.post(
        reverse("inscriptions:postuler", args=[SessionFactory().pk]), learner_profile_data(situation="etudiant")
    )

    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.situation, learner.job_seeking_duration) == (Situation.STUDENT, "")


# --- Staff, with the person ------------------------------------------------------------------------


def test_staff_fill_the_facts_with_the_person_on_the_application_page(client, learner, session, staff):
    application = at(learner, session, staff, Status.ADMITTED)
    client.force_login(staff)

    page = client.get(detail_url(application)).content.decode()
    assert "Avant le début de la formation" in page
    assert 'action="{}"'.format(detail_url(application, "entry_profile")) in page

    response = client.post(
        detail_url(application, "entry_profile"),
        entry_profile_data(gender=Gender.MALE, referrer=Referrer.FRANCE_TRAVAIL, referrer_detail="Agence de Pantin"),
    )

    assert response.url == detail_url(application) + "#avant-formation"
    learner.refresh_from_db()
    assert (learner.gender, learner.commune, learner.referrer_detail) == (
        Gender.MALE,
        "Aubervilliers",
        "Agence de Pantin",
    )


def test_the_staff_form_never_asks_the_special_questions_nor_her_consents(client, learner, session, staff):
    application = at(learner, session, staff, Status.ADMITTED)
    client.force_login(staff)

    form = client.get(detail_url(application)).context["entry_profile_form"]

    assert list(form.fields) == list(NOT_ASKED_YET)
    response = client.post(
        detail_url(application, "entry_profile"),
        {**entry_profile_data(), "rqth": "True", "named_data_consent": "on", "consent": "on"},
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.named_data_consent_at is None
    assert not EntryAnswers.objects.exists()


def test_a_staff_mistake_is_shown_on_the_page_and_nothing_is_saved(client, learner, session, staff):
    application = at(learner, session, staff, Status.ADMITTED)
    client.force_login(staff)

    response = client.post(detail_url(application, "entry_profile"), entry_profile_data(postcode="ABCDE"))

    assert response.status_code == 200
    assert "postcode" in response.context["entry_profile_form"].errors
    learner.refresh_from_db()
    assert learner.postcode == ""


def test_staff_without_the_right_to_decide_get_no_form(client, learner, session, staff):
    application = at(learner, session, staff, Status.ADMITTED)
    reader = UserFactory(staff_of=session.campus)
    group = reader.groups.get()
    group.permissions.remove(*group.permissions.filter(codename="decide_application"))
    client.force_login(reader)

    assert "entry_profile_form" not in client.get(detail_url(application)).context
    # Wagtail answers a missing permission by sending back to the admin's home.
    assert client.post(detail_url(application, "entry_profile"), entry_profile_data()).url == "/admin/"
    learner.refresh_from_db()
    assert learner.postcode == ""


# --- At entry: what is still missing is recorded unknown ---------------------------------------------


def test_facts_still_missing_at_entry_are_recorded_unknown(learner, session, staff):
    application = at(learner, session, staff, Status.ENROLLED)

    start(application, role=Role.STAFF, actor=staff)

    application.refresh_from_db()
    assert application.entry_recorded_at is not None
    assert (application.entry_gender, application.entry_job_seeking_duration) == ("", "")
    assert application.entry_qpv_residence == QpvResidence.UNKNOWN
    # Asked to apply: known.
    assert (application.entry_diploma, application.entry_situation) == (learner.diploma, learner.situation)


def test_the_funders_participant_file_leaves_missing_facts_blank(learner, session, staff, settings):
    settings.PARTICIPANT_FILE_K = 1  # one person: k-anonymity would withhold her
    at(learner, session, staff, Status.IN_TRAINING)
    agreement = AgreementFactory(campuses=[session.campus])

    resource = ParticipantResource(agreement, Period.of_agreement(agreement))
    rows = list(resource.iter_queryset(resource.get_queryset()))

    assert len(rows) == 1
    assert rows[0]["referrer"] in ("", None)
    assert rows[0]["gender"] in ("", None)
