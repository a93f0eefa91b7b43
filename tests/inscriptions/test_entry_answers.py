"""The funders' questions (RQTH, the European Social Fund's): asked only once the person has a place, kept apart
from the profile, copied onto the application when the training starts, never shown to the campus's staff."""

import io
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.viewsets import viewsets
from wagtail.snippets.models import get_snippet_models

from financeurs.indicators import Period
from financeurs.participant_file import ParticipantResource
from inscriptions.enums import Nationality, YesNoUnsaid
from inscriptions.models import Application, EntryAnswers
from inscriptions.services import erase_learner, export_learner_data, start
from inscriptions.workflow import Role, Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.factories import AgreementFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import (
    ApplicationFactory,
    EntryAnswersFactory,
    LearnerFactory,
    learner_profile_data,
    move_to,
)

PAGE = reverse("inscriptions:questions_financeurs")
INVITATION = "Avant le début de la formation : votre situation et quelques questions pour les financeurs (facultatif)"
# Every question's text, on the learner's page and the model: none of them may reach a staff page.
QUESTIONS = [
    "reconnaissance de handicap",
    "nationalité",
    "parents est-il né à l’étranger",
    "sans logement ou mal logé",
    "zone rurale",
]


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def learner():
    return LearnerFactory()


def at(learner, session, staff, status):
    return move_to(ApplicationFactory(learner=learner, session=session), status, actor=staff)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def answers_data(**overrides):
    data = dict.fromkeys(("rqth", "nationality", "foreign_background", "housing_exclusion", "rural_area"), "")
    return {**data, **overrides}


# --- Not asked before admission ------------------------------------------------------------------


def test_signing_up_asks_none_of_them(client):
    client.force_login(UserFactory())
    page = client.get(reverse("inscriptions:profil")).content.decode().lower()

    for question in QUESTIONS:
        assert question not in page, question
    assert "fonds social européen" not in page


def test_applying_asks_none_of_them(client, campus_index):
    session = SessionFactory(formation=FormationPageFactory(parent=CampusPageFactory(parent=campus_index)))
    client.force_login(UserFactory())
    page = client.get(reverse("inscriptions:postuler", args=[session.pk])).content.decode().lower()

    for question in QUESTIONS:
        assert question not in page, question


def test_answers_posted_with_the_profile_are_ignored(client, learner):
    client.force_login(learner.user)
    data = learner_profile_data(rqth="on", nationality=Nationality.OTHER, rural_area="on")

    assert client.post(reverse("inscriptions:profil"), data).status_code == 302
    assert not EntryAnswers.objects.exists()


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.WAITLISTED, Status.REFUSED])
def test_before_admission_the_page_is_refused_and_not_offered(client, learner, session, staff, status):
    at(learner, session, staff, status)
    client.force_login(learner.user)

    response = client.get(PAGE)

    assert response.status_code == 302 and response.url == reverse("inscriptions:espace")
    assert messages_of(response) == [
        "Ces questions sont posées seulement quand vous avez une place dans une formation, avant qu’elle commence."
    ]
    assert client.post(PAGE, answers_data(rqth="True")).status_code == 302
    assert not EntryAnswers.objects.exists()
    assert INVITATION not in client.get(reverse("inscriptions:espace")).content.decode()


def test_someone_without_a_profile_is_refused(client):
    client.force_login(UserFactory())

    assert client.get(PAGE).url == reverse("inscriptions:espace")


def test_once_the_training_started_nothing_new_is_asked(client, learner, session, staff):
    at(learner, session, staff, Status.IN_TRAINING)
    client.force_login(learner.user)

    assert client.post(PAGE, answers_data(rqth="True")).status_code == 302
    assert not EntryAnswers.objects.exists()
    assert INVITATION not in client.get(reverse("inscriptions:espace")).content.decode()


def test_answers_can_be_withdrawn_at_any_time_and_the_copy_of_the_first_day_stays(client, learner, session, staff):
    EntryAnswersFactory(learner=learner, rqth=True)
    application = at(learner, session, staff, Status.IN_TRAINING)
    client.force_login(learner.user)

    space = client.get(reverse("inscriptions:espace")).content.decode()
    assert "Changer ou retirer mes réponses « Avant le début de la formation »" in space
    assert INVITATION not in space
    assert client.post(PAGE, answers_data(rqth="")).status_code == 302

    assert EntryAnswers.objects.get().rqth is None
    application.refresh_from_db()
    assert application.entry_rqth is True


# --- Asked once admitted ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.ADMITTED, Status.ENROLLED])
def test_once_admitted_the_learner_space_invites_to_answer(client, learner, session, staff, status):
    at(learner, session, staff, status)
    client.force_login(learner.user)

    page = client.get(reverse("inscriptions:espace")).content.decode()

    assert INVITATION in page
    assert f'href="{PAGE}">Répondre aux questions</a>' in page


def test_the_page_explains_each_question_and_offers_not_to_answer(client, learner, session, staff):
    at(learner, session, staff, Status.ADMITTED)
    client.force_login(learner.user)

    page = client.get(PAGE).content.decode()

    assert "Fonds social européen (FSE+)" in page
    assert "seulement à des statistiques" in page
    assert "L’équipe qui décide des admissions ne voit pas vos réponses." in page
    assert "référent handicap du campus" in page
    # One fieldset per question, its legend the question, "I prefer not to say" first and chosen by default.
    questions = page.split("2. Quelques questions pour les financeurs")[1]
    assert questions.count("<legend>") == 5
    assert questions.count("Je préfère ne pas répondre") == 6  # the five choices, and the introduction
    assert len(re.findall(r'<input type="radio" name="\w+" value=""[^>]*checked>', questions)) == 5


def test_saving_nothing_records_that_nothing_was_answered(client, learner, session, staff):
    at(learner, session, staff, Status.ADMITTED)
    client.force_login(learner.user)

    response = client.post(PAGE, answers_data())

    assert response.url == reverse("inscriptions:espace")
    answers = EntryAnswers.objects.get(learner=learner)
    assert (answers.rqth, answers.nationality, answers.foreign_background) == (None, "", "")
    assert (answers.housing_exclusion, answers.rural_area) == (None, None)


def test_the_answers_are_saved_shown_again_and_can_be_changed(client, learner, session, staff):
    at(learner, session, staff, Status.ENROLLED)
    client.force_login(learner.user)
    data = answers_data(
        rqth="True", nationality=Nationality.EU, foreign_background=YesNoUnsaid.YES, housing_exclusion="False"
    )

    client.post(PAGE, data)

    answers = EntryAnswers.objects.get(learner=learner)
    first_answered_at = answers.answered_at
    assert (answers.rqth, answers.nationality, answers.foreign_background) == (True, "ue", "oui")
    assert (answers.housing_exclusion, answers.rural_area) == (False, None)
    page = client.get(PAGE).content.decode()
    assert re.search(r'name="rqth" value="True"[^>]*checked', page)
    assert re.search(r'name="housing_exclusion" value="False"[^>]*checked', page)
    assert "Vous avez répondu le" in client.get(reverse("inscriptions:espace")).content.decode()

    client.post(PAGE, answers_data(rqth="False"))

    answers = EntryAnswers.objects.get(learner=learner)
    assert (answers.rqth, answers.nationality) == (False, "")
    assert answers.answered_at >= first_answered_at


def test_an_answer_outside_the_choices_is_refused_with_the_error_summary(client, learner, session, staff):
    at(learner, session, staff, Status.ADMITTED)
    client.force_login(learner.user)

    response = client.post(PAGE, answers_data(nationality="martienne"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error-summary" role="alert"' in page
    assert 'href="#id_nationality_0"' in page
    assert not EntryAnswers.objects.exists()


# --- Copied onto the application when the training starts ------------------------------------------


def test_starting_the_training_copies_the_answers(learner, session, staff):
    EntryAnswersFactory(learner=learner, rural_area=None, foreign_background=YesNoUnsaid.UNSAID)
    application = at(learner, session, staff, Status.ENROLLED)

    start(application, role=Role.STAFF, actor=staff)

    application = Application.objects.get(pk=application.pk)
    assert (application.entry_rqth, application.entry_nationality) == (True, Nationality.OTHER)
    assert (application.entry_housing_exclusion, application.entry_foreign_background) == (True, "")
    # Not answered is recorded as the column's default, which no indicator counts.
    assert application.entry_rural_area is False


def test_starting_without_answers_records_nothing_answered(learner, session, staff):
    application = at(learner, session, staff, Status.IN_TRAINING)

    application = Application.objects.get(pk=application.pk)
    assert application.entry_recorded_at is not None
    assert (application.entry_rqth, application.entry_nationality, application.entry_foreign_background) == (
        False,
        "",
        "",
    )
    assert (application.entry_housing_exclusion, application.entry_rural_area) == (False, False)


def test_rows_written_in_bulk_read_the_answers_too_in_one_query(session, django_assert_num_queries):
    learners = [LearnerFactory(nationality=nationality) for nationality in Nationality]
    rows = []
    for learner in learners:
        row = ApplicationFactory.build(learner=learner, session=session, campus=session.campus)
        row.status, row.decided_at = Status.IN_TRAINING, timezone.now()
        rows.append(row)

    with django_assert_num_queries(2):  # the answers, then the insert
        Application.objects.bulk_create(rows)

    assert list(Application.objects.order_by("pk").values_list("entry_nationality", flat=True)) == list(Nationality)


def test_the_funders_file_holds_none_of_the_answers_whoever_it_names(staff, session, settings):
    settings.PARTICIPANT_FILE_K = 1  # two people: k-anonymity would withhold them both
    agreement = AgreementFactory(campuses=[session.campus], requires_named_data=True)
    waiting = LearnerFactory(rqth=True, nationality=Nationality.OTHER, housing_exclusion=True)
    started = LearnerFactory(
        rqth=True, nationality=Nationality.OTHER, housing_exclusion=True, named_data_consent_at=timezone.now()
    )
    at(waiting, SessionFactory(formation__parent=session.campus), staff, Status.ADMITTED)
    at(started, SessionFactory(formation__parent=session.campus, past=True), staff, Status.IN_TRAINING)

    resource = ParticipantResource(agreement, Period.of_agreement(agreement))
    rows = list(resource.iter_queryset(resource.get_queryset()))

    assert len(rows) == 2
    assert any(row["last_name"] == started.last_name for row in rows)  # named, and still no answer
    for row in rows:
        assert not {"rqth", "nationality", "foreign_background", "housing_exclusion", "rural_area"} & set(row)


def test_erasure_deletes_the_answers_and_keeps_the_entry_facts(learner, session, staff):
    EntryAnswersFactory(learner=learner)
    application = at(learner, session, staff, Status.IN_TRAINING)

    erase_learner(learner)

    assert not EntryAnswers.objects.exists()
    assert Application.objects.get(pk=application.pk).entry_rqth is True


def test_the_export_holds_the_answers(learner):
    answers = EntryAnswersFactory(learner=learner, housing_exclusion=None)

    exported = export_learner_data(learner)["réponses_pour_les_financeurs"]

    assert exported == {
        "avez-vous une reconnaissance de handicap (RQTH) ?": True,
        "nationalité": {"code": "hors_ue", "libellé": "D’un pays hors de l’Union européenne"},
        "l’un de vos parents est-il né à l’étranger ?": {"code": "oui", "libellé": "Oui"},
        "êtes-vous sans logement ou mal logé·e ?": None,
        "habitez-vous en zone rurale ?": True,
        "réponses données le": answers.answered_at.isoformat(),
    }
    assert "rqth" not in str(export_learner_data(learner)["profil"]).lower()


def test_the_export_says_when_nothing_was_answered(learner):
    assert export_learner_data(learner)["réponses_pour_les_financeurs"] is None


# --- Never shown to staff ----------------------------------------------------------------------------


def test_staff_of_the_campus_see_the_answers_nowhere(client, learner, session, staff):
    """As an attacker from the campus: every staff page about this person, the exports included."""
    EntryAnswersFactory(learner=learner)
    application = at(learner, session, staff, Status.IN_TRAINING)
    admitted = at(learner, SessionFactory(formation__parent=session.campus), staff, Status.ADMITTED)
    client.force_login(staff)
    pages = [
        reverse("inscriptions_admin:index"),
        reverse("inscriptions_admin:index") + f"?q={learner.last_name}",
        reverse("inscriptions_admin:index_results") + f"?q={learner.last_name}",
        reverse("inscriptions_admin:detail", args=[application.pk]),
        reverse("inscriptions_admin:detail", args=[admitted.pk]),
        reverse("inscriptions_admin:follow_up", args=[application.pk]),
        reverse("inscriptions_admin:follow_ups_due"),
        reverse("inscriptions_admin:payments"),
        reverse("inscriptions_admin:payments_export") + "?format=csv",
        reverse("inscriptions_admin:session_people", args=[session.pk]),
        reverse("inscriptions_admin:session_people", args=[session.pk]) + "?statut=en_formation",
        reverse("inscriptions_admin:session_people_export", args=[session.pk]) + "?format=csv",
        reverse("referrals_admin:index"),
        reverse("wagtailadmin_home"),
    ]
    seen = 0
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue
        seen += 1
        content = b"".join(response) if response.streaming else response.content
        # Random tokens (CSRF) may hold any letters: they are left out of the search.
        text = re.sub(r"[a-z0-9]{32,}", "", content.decode(errors="replace").lower())
        for secret in [*QUESTIONS, "rqth", "hors de l’union", "hors_ue", "handicap", "financeurs de"]:
            assert secret not in text, (page, secret)
    assert seen >= 8


def test_staff_xlsx_export_holds_no_answer(client, learner, session, staff):
    import openpyxl

    EntryAnswersFactory(learner=learner)
    at(learner, session, staff, Status.IN_TRAINING)
    client.force_login(staff)

    for url in [
        reverse("inscriptions_admin:payments_export") + "?format=xlsx",
        reverse("inscriptions_admin:session_people_export", args=[session.pk]) + "?format=xlsx",
    ]:
        response = client.get(url)

        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row).lower()
        assert "rqth" not in cells and "hors" not in cells


def test_the_answers_have_no_admin_screen(client):
    client.get(reverse("wagtailadmin_home"))  # the admin's viewsets register when its URLs load

    assert viewsets.viewsets, "the registry read below is the one the admin fills"
    assert EntryAnswers not in [getattr(viewset, "model", None) for viewset in viewsets.viewsets]
    assert EntryAnswers not in get_snippet_models()
