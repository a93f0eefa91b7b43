"""Follow-up surveys: e-mailed 6 and 12 months after leaving, answered once through a personal link, no log-in."""

import datetime
import hashlib
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import FollowUpMilestone, FollowUpSource, Placement
from inscriptions.models import Application, FollowUp, FollowUpSurvey, add_months
from inscriptions.services import erase_learner
from inscriptions.surveys import SurveyClosed, record_answer, send_due_surveys, send_survey_reminders, surveys_due
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, move_to

SIX, TWELVE = FollowUpMilestone.SIX_MONTHS, FollowUpMilestone.TWELVE_MONTHS
LINK = re.compile(r"http://testserver/suivi/([A-Za-z0-9_-]+)/")


@pytest.fixture
def session():
    session = SessionFactory(past=True)
    session.campus.email = "contact@campus-aubervilliers.example"
    session.campus.phone = "01 23 45 67 89"
    session.campus.save()
    return session


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def left(session, staff):
    """An application whose learner left the training `months` (and `days`) ago."""

    def make(months, days=0, status=Status.COMPLETED):
        day = add_months(timezone.localdate(), -months) - datetime.timedelta(days=days)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        return move_to(ApplicationFactory(session=session), status, actor=staff, now=moment)

    return make


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a sending service as the daily command does, its e-mails leaving once the transaction commits."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


def token_in(message):
    return LINK.search(message.body).group(1)


def survey_url(token):
    return reverse("inscriptions:follow_up_survey", args=[token])


def answer(**overrides):
    today = timezone.localdate()
    data = {"placement": Placement.CDI, "since_month": today.month, "since_year": today.year, "employer": "La Poste"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def sent(left, run):
    """A learner who left six months ago and just received the survey: (application, token)."""
    application = left(6)
    assert run(send_due_surveys) == 1
    return application, token_in(mail.outbox[-1])


# --- Who gets a survey, and when ----------------------------------------------------------------


def test_the_survey_leaves_on_the_day_six_months_after_leaving(left, run):
    application = left(6)
    left(5, days=27)

    assert run(send_due_surveys) == 1

    survey = FollowUpSurvey.objects.get()
    assert (survey.application, survey.milestone) == (application, SIX)
    assert survey.expires_at - survey.sent_at == datetime.timedelta(days=settings.FOLLOW_UP_SURVEY_VALID_DAYS)
    assert [message.to for message in mail.outbox] == [[application.learner.user.email]]


@pytest.mark.parametrize("status", [Status.DROPPED_OUT, Status.CERTIFIED, Status.NOT_CERTIFIED])
def test_every_way_of_leaving_gets_the_survey(left, run, status):
    left(6, status=status)
    assert run(send_due_surveys) == 1


def test_twelve_months_after_leaving_the_second_survey_leaves(left, run):
    application = left(12)
    FollowUpSurvey.objects.create(
        application=application, milestone=SIX, token_hash="0" * 64, expires_at=timezone.now()
    )

    assert run(send_due_surveys) == 1

    assert list(application.surveys.order_by("milestone").values_list("milestone", flat=True)) == [SIX, TWELVE]


def test_a_learner_who_left_long_before_the_window_is_not_written_to(left, run, settings):
    settings.FOLLOW_UP_SURVEY_SEND_WINDOW_DAYS = 30
    oldest_due = timezone.localdate() - datetime.timedelta(days=30)
    applications = [left(6, days=days) for days in range(27, 35)]
    in_window = {application for application in applications if add_months(application.left_on, 6) >= oldest_due}
    assert 0 < len(in_window) < len(applications)

    assert run(send_due_surveys) == len(in_window)

    assert {survey.application for survey in FollowUpSurvey.objects.all()} == in_window


def test_a_learner_who_left_on_the_31st_is_due_at_the_end_of_a_shorter_month(left):
    application = left(6)
    Application.objects.filter(pk=application.pk).update(left_on=datetime.date(2026, 8, 31))

    assert surveys_due(today=datetime.date(2027, 2, 27)) == []
    assert surveys_due(today=datetime.date(2027, 2, 28)) == [(application, SIX)]


def test_the_survey_is_sent_only_once(left, run):
    left(6)
    assert run(send_due_surveys) == 1
    assert run(send_due_surveys) == 0
    assert FollowUpSurvey.objects.count() == len(mail.outbox) == 1


def test_no_survey_when_the_staff_already_recorded_the_milestone(left, run):
    application = left(6)
    FollowUpFactory(application=application, milestone=SIX)

    assert run(send_due_surveys) == 0
    assert not mail.outbox


def test_nobody_is_written_to_after_erasing_their_account_or_without_an_email(left, run):
    erase_learner(left(6).learner)
    no_email = left(6)
    no_email.learner.user.email = ""
    no_email.learner.user.save()

    assert run(send_due_surveys) == 0
    assert not FollowUpSurvey.objects.exists()
    assert not mail.outbox


def test_finding_who_is_due_takes_the_same_few_queries_for_one_or_many(left, django_capture_on_commit_callbacks):
    def queries_to_select(count):
        FollowUpSurvey.objects.all().delete()
        # The e-mails are left out: one per person is expected.
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
            assert send_due_surveys() == count
        return len(queries)

    left(6)
    one = queries_to_select(1)
    for _ in range(4):
        left(6)
        left(12)
    assert queries_to_select(9) == one <= 6


# --- The e-mail and its link --------------------------------------------------------------------


def test_the_email_greets_the_learner_and_carries_an_absolute_personal_link(sent, session):
    application, token = sent
    message = mail.outbox[-1]

    assert "Que devenez-vous" in message.subject and session.campus.title in message.subject
    assert message.body.startswith(f"Bonjour {application.learner.first_name},")
    left = f"Il y a 6 mois, vous quittiez la formation « {session.formation.title} » ({session.campus.title})"
    assert left in message.body
    assert "E-mail : contact@campus-aubervilliers.example" in message.body
    assert f"{settings.PUBLIC_BASE_URL}{survey_url(token)}" in message.body
    assert "une seule fois" in message.body


def test_only_a_hash_of_the_token_is_stored(sent):
    _application, token = sent
    survey = FollowUpSurvey.objects.get()

    assert len(token) >= 43
    assert survey.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = FollowUpSurvey.objects.values_list().get()
    assert not any(token in str(value) for value in stored)


# --- Reminders ----------------------------------------------------------------------------------


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_one_reminder_with_a_new_link_after_the_reminder_delay(sent, run, client):
    _application, first_token = sent
    FollowUpSurvey.objects.update(sent_at=days_ago(settings.FOLLOW_UP_SURVEY_REMINDER_DAYS - 1))
    assert run(send_survey_reminders) == 0

    FollowUpSurvey.objects.update(sent_at=days_ago(settings.FOLLOW_UP_SURVEY_REMINDER_DAYS))
    assert run(send_survey_reminders) == 1

    survey = FollowUpSurvey.objects.get()
    assert survey.reminded_at is not None
    assert survey.expires_at - survey.reminded_at == datetime.timedelta(days=settings.FOLLOW_UP_SURVEY_VALID_DAYS)
    reminder = mail.outbox[-1]
    assert reminder.subject.startswith("[Tremplin] Rappel")
    assert "Le lien du premier message ne marche plus." in reminder.body
    new_token = token_in(reminder)
    assert new_token != first_token
    assert client.get(survey_url(first_token)).status_code == 404
    assert client.get(survey_url(new_token)).status_code == 200


def test_never_a_second_reminder(sent, run):
    FollowUpSurvey.objects.update(sent_at=days_ago(settings.FOLLOW_UP_SURVEY_REMINDER_DAYS))
    assert run(send_survey_reminders) == 1
    FollowUpSurvey.objects.update(sent_at=days_ago(40), reminded_at=days_ago(20))

    assert run(send_survey_reminders) == 0
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("situation", ["answered", "expired", "recorded by staff", "erased"])
def test_no_reminder_once_there_is_nothing_to_ask(sent, run, situation):
    application, _token = sent
    FollowUpSurvey.objects.update(sent_at=days_ago(settings.FOLLOW_UP_SURVEY_REMINDER_DAYS))
    if situation == "answered":
        FollowUpSurvey.objects.update(answered_at=days_ago(1))
    elif situation == "expired":
        FollowUpSurvey.objects.update(expires_at=days_ago(1))
    elif situation == "recorded by staff":
        FollowUpFactory(application=application, milestone=SIX)
    else:
        erase_learner(application.learner)

    assert run(send_survey_reminders) == 0
    assert len(mail.outbox) == 1


# --- The page behind the link -------------------------------------------------------------------


def test_the_link_opens_the_three_questions_without_logging_in(sent, client):
    _application, token = sent
    response = client.get(survey_url(token))

    assert response.status_code == 200
    assert response.wsgi_request.user.is_anonymous
    page = response.content.decode()
    for question in ("Que faites-vous aujourd’hui ?", "Depuis quand ?", "Chez quel employeur"):
        assert question in page
    assert "Je cherche un emploi" in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "no-store" in response["Cache-Control"]


def test_an_answer_becomes_the_follow_up_from_the_questionnaire(sent, client):
    application, token = sent
    response = client.post(survey_url(token), answer(since_month=3, since_year=timezone.localdate().year - 1))

    assert response.status_code == 200
    assert "Merci pour vos réponses" in response.content.decode()
    follow_up = FollowUp.objects.get(application=application)
    assert follow_up.milestone == SIX
    assert follow_up.placement == Placement.CDI
    assert follow_up.employer == "La Poste"
    assert follow_up.start_date == datetime.date(timezone.localdate().year - 1, 3, 1)
    assert follow_up.source == FollowUpSource.SURVEY
    assert follow_up.recorded_by is None
    assert FollowUpSurvey.objects.get().answered_at is not None


def test_the_answer_is_taken_from_a_browser_that_hides_where_it_comes_from(sent):
    # With `Referrer-Policy: no-referrer`, browsers post with `Origin: null`: the token is the only key.
    application, token = sent
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(survey_url(token))
    assert not page.cookies

    response = browser.post(survey_url(token), answer(), HTTP_ORIGIN="null")

    assert "Merci pour vos réponses" in response.content.decode()
    assert FollowUp.objects.filter(application=application).exists()


def test_the_link_works_only_once(sent, client):
    application, token = sent
    client.post(survey_url(token), answer())

    again = client.post(survey_url(token), answer(placement=Placement.JOB_SEEKING, employer=""))

    assert "Merci, votre réponse est déjà enregistrée" in again.content.decode()
    assert FollowUp.objects.get(application=application).placement == Placement.CDI
    assert "déjà enregistrée" in client.get(survey_url(token)).content.decode()


def test_an_expired_link_says_so_and_gives_the_campus_contact(sent, client, session):
    _application, token = sent
    FollowUpSurvey.objects.update(expires_at=days_ago(1))

    for response in (client.get(survey_url(token)), client.post(survey_url(token), answer())):
        assert response.status_code == 410
        page = response.content.decode()
        assert "Ce lien a expiré" in page
        assert session.campus.email in page and session.campus.phone in page
    assert not FollowUp.objects.exists()


def test_an_unknown_link_is_a_plain_french_404(client):
    response = client.get(survey_url("pas-un-vrai-jeton"))

    assert response.status_code == 404
    assert "Ce lien ne marche pas" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_link_stops_working_when_the_learner_erases_their_account(sent, client):
    application, token = sent
    erase_learner(application.learner)
    assert client.get(survey_url(token)).status_code == 404


@pytest.mark.parametrize(
    "data, field, message",
    [
        (answer(placement=None), "placement", "Choisissez la phrase qui vous correspond le mieux."),
        (answer(since_month=None, since_year=None), "since_month", "Indiquez le mois et l’année"),
        (answer(since_year=None), "since_month", "Indiquez le mois et l’année"),
        (answer(employer=""), "employer", "Indiquez le nom de l’employeur"),
        (answer(placement=Placement.TRAINING, employer="  "), "employer", "Indiquez le nom de l’employeur"),
        (answer(since_year=timezone.localdate().year + 1), "since_year", "Sélectionnez un choix valide"),
    ],
)
def test_an_incomplete_answer_is_shown_back_with_what_to_fix(sent, client, data, field, message):
    _application, token = sent
    response = client.post(survey_url(token), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert 'role="alert"' in page and f'href="#id_{field}' in page
    assert not FollowUp.objects.exists()
    assert FollowUpSurvey.objects.get().answered_at is None


def test_a_start_date_in_the_future_is_refused(sent, client):
    _application, token = sent
    next_month = add_months(timezone.localdate(), 1)
    response = client.post(survey_url(token), answer(since_month=next_month.month, since_year=next_month.year))

    if next_month.year > timezone.localdate().year:
        # In December, next January's year is not even offered.
        assert "since_year" in response.context["form"].errors
    else:
        assert "Cette date est dans le futur" in " ".join(response.context["form"].errors["since_month"])
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        answer(placement=Placement.JOB_SEEKING, employer=""),
        answer(placement=Placement.UNKNOWN, employer="", since_month=None, since_year=None),
    ],
)
def test_no_employer_to_name_when_looking_for_a_job_or_not_saying(sent, client, data):
    application, token = sent
    response = client.post(survey_url(token), data)

    assert "Merci pour vos réponses" in response.content.decode()
    assert FollowUp.objects.get(application=application).employer == ""


# --- The daily command --------------------------------------------------------------------------


def test_the_daily_command_sends_then_reminds_and_says_how_many(left, sent, django_capture_on_commit_callbacks):
    left(12)
    FollowUpSurvey.objects.update(sent_at=days_ago(settings.FOLLOW_UP_SURVEY_REMINDER_DAYS))
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_follow_up_surveys", stdout=out)

    assert out.getvalue().splitlines() == [
        "Questionnaires de suivi envoyés : 1.",
        f"Relances envoyées (sans réponse après {settings.FOLLOW_UP_SURVEY_REMINDER_DAYS} jours) : 1.",
    ]
    assert len(mail.outbox) == 3

    again = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_follow_up_surveys", stdout=again)
    assert again.getvalue().splitlines() == [
        "Questionnaires de suivi envoyés : 0.",
        f"Relances envoyées (sans réponse après {settings.FOLLOW_UP_SURVEY_REMINDER_DAYS} jours) : 0.",
    ]
    assert len(mail.outbox) == 3


# --- Two answers at the same instant ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_answers_sent_at_the_same_instant_make_one_follow_up(sent):
    from tests.inscriptions.test_concurrency import run_together

    application, _token = sent
    survey = FollowUpSurvey.objects.get()

    def answer_with(placement):
        def action():
            try:
                return record_answer(FollowUpSurvey.objects.get(pk=survey.pk), placement=placement, employer="X")
            except SurveyClosed as closed:
                return closed

        return action

    results, errors = run_together([answer_with(Placement.CDI), answer_with(Placement.INTERIM)])

    assert errors == []
    assert sorted(map(type, results), key=lambda kind: kind.__name__) == [SurveyClosed, bool]
    assert [result.state for result in results if isinstance(result, SurveyClosed)] == ["answered"]
    assert FollowUp.objects.filter(application=application).count() == 1


def test_an_answer_starting_later_without_a_signature_is_kept_for_the_team_not_recorded(sent):
    # The form refuses it; the service applies the same rule whoever calls it (follow_up_date_errors).
    application, _token = sent
    survey = FollowUpSurvey.objects.get(application=application)

    became_follow_up = record_answer(
        survey, placement=Placement.CDI, start_date=add_months(timezone.localdate(), 1), employer="Atelier"
    )

    assert became_follow_up is False
    assert not FollowUp.objects.exists()
    assert "indiquez la date de signature" in application.notes.get().text
