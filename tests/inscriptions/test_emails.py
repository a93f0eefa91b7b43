"""Every e-mail Tremplin sends speaks to a person: their first name (or a plain "Bonjour," when none is known), the
campus by its own name (never "campus Campus…"), the facts the message is about, plural forms that agree, and no
username the person never chose. docs/inscriptions.md, "E-mails", lists them."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from inscriptions import notifications, surveys
from inscriptions.enums import Availability, FollowUpMilestone
from inscriptions.models import Application, FollowUpSurvey, Refund, RefundCause, RefundState
from inscriptions.services import change_status, submit_application
from inscriptions.workflow import Role, Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to, paid_online

CAMPUS = "Campus numérique d’Aubervilliers"
FORMATION = "Technicien·ne d’assistance informatique"
HOURS = "Du lundi au jeudi, de 9 h à 16 h"
PLACE = "5 rue Réaumur, 93300 Aubervilliers"
FIRST_DAY = "Arrivez à 9 h : Samia vous accueille à l’entrée. Apportez une pièce d’identité."


@pytest.fixture
def campus():
    return CampusPageFactory(title=CAMPUS, email="contact@aubervilliers.example", phone="01 23 45 67 89")


@pytest.fixture
def session(campus):
    formation = FormationPageFactory(parent=campus, title=FORMATION)
    return SessionFactory(
        formation=formation,
        capacity=3,
        start_date=timezone.localdate() + datetime.timedelta(days=40),
        schedule_details=HOURS,
        venue_address=PLACE,
        first_day_details=FIRST_DAY,
    )


@pytest.fixture
def staff(session):
    return UserFactory(
        staff_of=session.campus, username="s.martin", email="samia@aubervilliers.example", first_name="Samia"
    )


@pytest.fixture
def learner():
    user = UserFactory(username="ines.benaissa42", email="ines.benaissa@exemple.fr")
    return LearnerFactory(user=user, first_name="Inès", last_name="Benaïssa")


@pytest.fixture
def application(session, learner):
    return ApplicationFactory(session=session, learner=learner)


def to(address):
    return [message for message in mail.outbox if address in message.to]


def only_one_to(address):
    (message,) = to(address)
    return message


def assert_speaks_to(message, greeting):
    """Greeted by name, signed by the campus's own name, plain text, no username, the house subject prefix."""
    assert message.subject.startswith("[Tremplin] ")
    assert message.body.startswith(f"{greeting}\n"), message.body[:60]
    text = " ".join(f"{message.subject} {message.body}".split())
    assert not re.search(r"campus campus", text, re.IGNORECASE), text
    for username in ("ines.benaissa42", "s.martin", "utilisateur"):
        assert username not in text
    for artefact in ("&#x27;", "&#39;", "&quot;", "&amp;", "&lt;", "&gt;", "{%", "{{", "(s)"):
        assert artefact not in text, artefact


def assert_day_one(body):
    for fact in (HOURS, PLACE, FIRST_DAY, "Temps plein"):
        assert fact in body, fact


def step(application, target, capture, **kwargs):
    mail.outbox.clear()
    with capture(execute=True):
        change_status(application, target, **kwargs)
    return only_one_to(application.learner.user.email)


# --- To the learner, at each step -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "subject", "facts"),
    [
        (Status.SUBMITTED, Status.ADMITTED, "Bonne nouvelle : une place vous attend", ["confirmez-la", HOURS, PLACE]),
        (Status.SUBMITTED, Status.WAITLISTED, "Vous êtes sur la liste d’attente", ["sur la liste d’attente"]),
        (Status.SUBMITTED, Status.REFUSED, "Réponse à votre candidature", ["Décision de test"]),
        (Status.UNDER_REVIEW, Status.WITHDRAWN, "Votre candidature est retirée", ["postuler à nouveau"]),
        (Status.ADMITTED, Status.ENROLLED, "Vous êtes inscrit·e : rendez-vous le", ["C’est confirmé", FIRST_DAY]),
        (Status.COMPLETED, Status.CERTIFIED, "Félicitations pour votre certification", ["certification"]),
    ],
)
def test_each_decision_speaks_to_the_learner_by_first_name_and_signs_with_the_campus(
    application, staff, source, target, subject, facts, django_capture_on_commit_callbacks
):
    move_to(application, source, actor=staff)

    message = step(
        application,
        target,
        django_capture_on_commit_callbacks,
        role=Role.STAFF,
        actor=staff,
        comment="Décision de test" if target == Status.REFUSED else "",
    )

    assert_speaks_to(message, "Bonjour Inès,")
    assert message.subject.startswith(f"[Tremplin] {subject}")
    assert f"« {FORMATION} »" in message.body
    assert f"À bientôt,\n{CAMPUS}\n" in message.body
    assert "E-mail : contact@aubervilliers.example" in message.body
    for fact in facts:
        assert fact in message.body, fact


@pytest.mark.parametrize("target", [Status.ADMITTED, Status.ENROLLED])
def test_a_seat_comes_with_the_start_date_hours_address_and_first_day(
    application, staff, target, django_capture_on_commit_callbacks
):
    session = application.session
    session.start_date, session.end_date = datetime.date(2031, 1, 6), datetime.date(2031, 3, 28)
    session.save()
    move_to(application, Status.UNDER_REVIEW if target == Status.ADMITTED else Status.ADMITTED, actor=staff)

    message = step(application, target, django_capture_on_commit_callbacks, role=Role.STAFF, actor=staff)

    assert_day_one(message.body)
    assert "Début : lundi 6 janvier 2031\n" in message.body


def test_without_a_place_of_its_own_the_campus_address_is_given(
    application, staff, django_capture_on_commit_callbacks
):
    application.session.venue_address = ""
    application.session.save()
    move_to(application, Status.UNDER_REVIEW, actor=staff)

    message = step(application, Status.ADMITTED, django_capture_on_commit_callbacks, role=Role.STAFF, actor=staff)

    assert "Adresse : 12 rue du Landy, 93300 Aubervilliers" in message.body


def test_a_learner_without_a_first_name_gets_a_plain_greeting(
    application, staff, learner, django_capture_on_commit_callbacks
):
    learner.first_name = ""
    learner.save()

    message = step(application, Status.WAITLISTED, django_capture_on_commit_callbacks, role=Role.STAFF, actor=staff)

    assert_speaks_to(message, "Bonjour,")


def test_submitting_and_closing_are_told_by_name(session, learner, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_application(
            learner, session, motivation="Je veux réparer.", availability=Availability.FULL
        )
    submitted = only_one_to(learner.user.email)
    assert_speaks_to(submitted, "Bonjour Inès,")
    assert submitted.subject == "[Tremplin] Nous avons bien reçu votre candidature"

    closed = step(application, Status.CLOSED, django_capture_on_commit_callbacks, role=Role.SYSTEM, comment="Délai")

    assert_speaks_to(closed, "Bonjour Inès,")
    assert closed.subject == "[Tremplin] Votre candidature est close, avec nos excuses"
    assert "sincèrement désolés" in closed.body


@pytest.mark.parametrize(
    ("cause", "subject"),
    [
        (RefundCause.STAFF, "Votre remboursement est confirmé"),
        (RefundCause.LATE_PAYMENT, "Votre paiement vous est remboursé"),
    ],
)
def test_a_confirmed_refund_is_told_once_with_the_amount(application, cause, subject):
    refund = Refund.objects.create(
        payment=paid_online(application, amount_cents=5000),
        amount_cents=2550,
        reason="Annulation",
        state=RefundState.CONFIRMED,
        cause=cause,
        idempotency_key=f"refund-{cause}",
    )

    notifications.refund_confirmed(refund.pk)
    notifications.refund_confirmed(refund.pk)

    message = only_one_to(application.learner.user.email)
    assert_speaks_to(message, "Bonjour Inès,")
    assert message.subject == f"[Tremplin] {subject}"
    assert "25,50 €" in message.body


# --- The reminder before the session starts -------------------------------------------------------


@pytest.fixture
def enrolled(application, staff):
    return move_to(application, Status.ENROLLED, actor=staff)


def starting_in(application, days):
    session = application.session
    session.start_date = timezone.localdate() + datetime.timedelta(days=days)
    session.application_deadline = session.start_date
    session.save()


def test_the_start_reminder_goes_once_a_few_days_before(enrolled, django_capture_on_commit_callbacks):
    starting_in(enrolled, 3)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_start_reminders", verbosity=0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_start_reminders", verbosity=0)

    message = only_one_to(enrolled.learner.user.email)
    assert_speaks_to(message, "Bonjour Inès,")
    assert message.subject == "[Tremplin] Votre formation commence dans 3 jours"
    assert f"Votre formation « {FORMATION} » commence dans 3 jours." in message.body
    assert_day_one(message.body)
    enrolled.refresh_from_db()
    assert enrolled.start_reminder_sent_at is not None


@pytest.mark.parametrize(
    ("days", "subject"),
    [
        (0, "Votre formation commence aujourd’hui"),
        (1, "Votre formation commence demain"),
        (2, "Votre formation commence dans 2 jours"),
    ],
)
def test_the_reminder_says_when_in_words_that_agree(enrolled, days, subject, django_capture_on_commit_callbacks):
    starting_in(enrolled, days)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_start_reminders", verbosity=0)

    assert only_one_to(enrolled.learner.user.email).subject == f"[Tremplin] {subject}"


@override_settings(SESSION_START_REMINDER_DAYS=3)
def test_nobody_is_reminded_too_early_after_the_start_or_without_a_confirmed_seat(
    session, staff, enrolled, django_capture_on_commit_callbacks
):
    starting_in(enrolled, 4)
    started = SessionFactory(formation=session.formation, start_date=timezone.localdate() - datetime.timedelta(days=1))
    move_to(ApplicationFactory(session=started), Status.ENROLLED, actor=staff)
    soon = SessionFactory(formation=session.formation, start_date=timezone.localdate() + datetime.timedelta(days=2))
    for status in (Status.ADMITTED, Status.WAITLISTED, Status.WITHDRAWN):
        move_to(ApplicationFactory(session=soon), status, actor=staff)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_start_reminders", verbosity=0)

    assert mail.outbox == []
    assert not Application.objects.filter(start_reminder_sent_at__isnull=False).exists()


def test_a_reminder_claimed_then_withdrawn_sends_nothing(enrolled, staff, django_capture_on_commit_callbacks):
    starting_in(enrolled, 2)
    change_status(enrolled, Status.WITHDRAWN, role=Role.STAFF, actor=staff)
    mail.outbox.clear()

    notifications.send_start_reminder.call(enrolled.pk)

    assert mail.outbox == []


# --- To the guardian, and before an account is erased ----------------------------------------------


def test_the_guardian_is_greeted_by_name_told_which_training_and_named_nowhere_in_the_subject(
    session, django_capture_on_commit_callbacks
):
    minor = LearnerFactory(minor=True, first_name="Zénobie", guardian_name="Mariam Sissoko")
    with django_capture_on_commit_callbacks(execute=True):
        submit_application(minor, session, motivation="Je veux coder.", availability=Availability.FULL)

    message = only_one_to(minor.guardian_email)
    assert_speaks_to(message, "Bonjour Mariam Sissoko,")
    assert message.subject == "[Tremplin] Une demande d’accord parental pour une formation"
    assert f"Zénobie souhaite suivre la formation « {FORMATION} » ({CAMPUS})." in message.body
    assert f"À bientôt,\n{CAMPUS}\n" in message.body
    assert "Cette formation est gratuite." in message.body


def test_the_guardian_is_told_what_a_paid_session_costs(session, django_capture_on_commit_callbacks):
    session.price_cents = 5000
    session.save()
    minor = LearnerFactory(minor=True, guardian_name="Mariam Sissoko")
    with django_capture_on_commit_callbacks(execute=True):
        submit_application(minor, session, motivation="Je veux coder.", availability=Availability.FULL)

    body = only_one_to(minor.guardian_email).body
    assert "Cette session demande 50,00 €." in body
    assert "gratuite" not in body


def test_the_inactive_account_warning_greets_by_name(learner):
    notifications.inactivity_warning(learner, datetime.date(2027, 3, 1))

    message = only_one_to(learner.user.email)
    assert_speaks_to(message, "Bonjour Inès,")
    assert message.subject == "[Tremplin] Votre compte Tremplin sera supprimé le 01/03/2027"
    assert "1 mars 2027" in message.body


def test_the_follow_up_survey_names_the_campus_once(application, staff):
    move_to(application, Status.COMPLETED, actor=staff)
    survey = FollowUpSurvey.objects.create(
        application=application,
        milestone=FollowUpMilestone.SIX_MONTHS,
        token_hash="0" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=45),
    )
    mail.outbox.clear()

    assert surveys.send_survey_email.call(survey.pk)

    message = only_one_to(application.learner.user.email)
    assert_speaks_to(message, "Bonjour Inès,")
    assert message.subject == f"[Tremplin] Que devenez-vous ? Trois questions de {CAMPUS}"
    assert f"« {FORMATION} » ({CAMPUS})" in message.body


# --- To the campus team ------------------------------------------------------------------------------


def test_each_team_member_gets_their_own_e_mail_greeted_by_first_name(
    session, learner, staff, django_capture_on_commit_callbacks
):
    colleague = UserFactory(staff_of=session.campus, email="karim@aubervilliers.example", first_name="")
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_application(
            learner, session, motivation="Je veux réparer.", availability=Availability.FULL
        )

    samia, karim = only_one_to(staff.email), only_one_to(colleague.email)
    assert samia.to == [staff.email] and karim.to == [colleague.email]
    assert_speaks_to(samia, "Bonjour Samia,")
    assert_speaks_to(karim, "Bonjour,")
    assert samia.subject == f"[Tremplin] Nouvelle candidature : {FORMATION}"
    assert "Inès Benaïssa a postulé" in samia.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application, Status.WITHDRAWN, role=Role.LEARNER, actor=learner.user)

    withdrawal = only_one_to(staff.email)
    assert_speaks_to(withdrawal, "Bonjour Samia,")
    assert withdrawal.subject == f"[Tremplin] Candidature retirée : {FORMATION}"


@pytest.mark.parametrize(
    ("count", "subject", "sentence"),
    [
        (1, "1 candidature attend une réponse depuis plus de 14 jours", "Cette candidature attend"),
        (3, "3 candidatures attendent une réponse depuis plus de 14 jours", "Ces candidatures attendent"),
    ],
)
@override_settings(APPLICATION_REVIEW_REMINDER_DAYS=14)
def test_the_overdue_digest_agrees_with_its_count(session, staff, count, subject, sentence):
    pks = [ApplicationFactory(session=session).pk for _ in range(count)]

    notifications.send_overdue_digest.call(session.campus_id, pks)

    message = only_one_to(staff.email)
    assert_speaks_to(message, "Bonjour Samia,")
    assert message.subject == f"[Tremplin] {subject}"
    assert sentence in message.body


@pytest.mark.parametrize(
    ("due", "subject", "lines"),
    [
        ({"6": 1}, "1 suivi de sortie à faire", ["À 6 mois : 1 suivi\n"]),
        ({"0": 2, "12": 1}, "3 suivis de sortie à faire", ["À la sortie : 2 suivis\n", "À 12 mois : 1 suivi\n"]),
    ],
)
def test_the_follow_ups_digest_says_1_suivi_and_3_suivis(session, staff, due, subject, lines):
    notifications.send_follow_ups_digest.call(session.campus_id, due)

    message = only_one_to(staff.email)
    assert_speaks_to(message, "Bonjour Samia,")
    assert message.subject == f"[Tremplin] {subject}"
    for line in lines:
        assert line in message.body


@pytest.mark.parametrize(
    ("count", "subject", "sentence"),
    [
        (1, "1 formation finie : sortie à enregistrer", "Cette personne est toujours"),
        (2, "2 formations finies : sortie à enregistrer", "Ces personnes sont toujours"),
    ],
)
def test_the_ended_trainings_digest_agrees_with_its_count(staff, campus, count, subject, sentence):
    ended = SessionFactory(formation=FormationPageFactory(parent=campus), ended=True)
    pks = [move_to(ApplicationFactory(session=ended), Status.IN_TRAINING, actor=staff).pk for _ in range(count)]
    mail.outbox.clear()

    notifications.send_ended_trainings_digest.call(campus.pk, pks)

    message = only_one_to(staff.email)
    assert_speaks_to(message, "Bonjour Samia,")
    assert message.subject == f"[Tremplin] {subject}"
    assert sentence in message.body


def test_a_failing_refund_alerts_each_team_member_by_name(application, staff):
    refund = Refund.objects.create(
        payment=paid_online(application, amount_cents=5000),
        amount_cents=5000,
        reason="Annulation",
        state=RefundState.OWED,
        attempts=5,
        last_error="Carte refusée",
        idempotency_key="refund-failing",
    )

    notifications.refund_failing(refund.pk)

    message = only_one_to(staff.email)
    assert_speaks_to(message, "Bonjour Samia,")
    assert message.subject == f"[Tremplin] Un remboursement n’aboutit pas : {FORMATION}"
    assert "50,00 €" in message.body and "5 fois" in message.body
