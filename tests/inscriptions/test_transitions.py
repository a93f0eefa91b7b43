"""Each named transition carries its own guards and effects: refused with the reason and nothing changed,
or done with the right dates, seats and history."""

import datetime

import pytest
from django.utils import timezone

from formations.enums import FeeKind
from formations.models import Session
from inscriptions import services
from inscriptions.enums import GuardianConsentMethod
from inscriptions.models import Application, Payment, PaymentMethod, PaymentStatus
from inscriptions.models.payments import SETTLED
from inscriptions.services import Refused, admission_obstacle, change_status, record_guardian_consent
from inscriptions.workflow import AdmissionObstacle, Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
LATER = NOW + datetime.timedelta(days=2)


@pytest.fixture
def superuser():
    return UserFactory(superuser=True)


def in_status(status, *, session=None, learner=None, now=None):
    application = ApplicationFactory(session=session or SessionFactory(), learner=learner or LearnerFactory())
    return move_to(application, status, actor=UserFactory(superuser=True), now=now)


def state(application):
    """Everything a refused transition must leave untouched."""
    application.refresh_from_db()
    session = Session.objects.get(pk=application.session_id)
    return (
        application.status,
        application.status_changed_at,
        application.waitlisted_at,
        application.decided_at,
        application.left_on,
        session.seats_taken,
        application.history.count(),
    )


def seats(session):
    return Session.objects.get(pk=session.pk).seats_taken


def assert_refused(transition, application, match, **kwargs):
    before = state(application)
    with pytest.raises(Refused, match=match):
        transition(application, **kwargs)
    assert state(application) == before


# --- Who may take a seat ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "consented", "full", "obstacle"),
    [
        (False, False, False, None),
        (True, True, False, None),
        (True, False, False, AdmissionObstacle.GUARDIAN_CONSENT),
        (False, False, True, AdmissionObstacle.SESSION_FULL),
        (True, False, True, AdmissionObstacle.GUARDIAN_CONSENT),
    ],
)
def test_admission_obstacle_asks_consent_before_seats(minor, consented, full, obstacle):
    learner = LearnerFactory(minor=minor)
    if consented:
        record_guardian_consent(learner, method=GuardianConsentMethod.PAPER)
    session = SessionFactory(capacity=2, full=full)
    assert admission_obstacle(learner, session, timezone.localdate()) == obstacle


# --- admit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [Status.SUBMITTED, Status.UNDER_REVIEW])
def test_admit_takes_a_seat_and_dates_the_decision(source, superuser):
    application = in_status(source)

    change = services.admit(application, role=Role.STAFF, actor=superuser, now=NOW)

    application.refresh_from_db()
    assert (application.status, application.decided_at, application.status_changed_at) == (Status.ADMITTED, NOW, NOW)
    assert application.waitlisted_at is None
    assert (change.from_status, change.to_status, change.actor) == (source, Status.ADMITTED, superuser)
    assert seats(application.session) == 1


@pytest.mark.parametrize("source", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.WAITLISTED])
def test_admit_refuses_a_minor_without_a_parents_consent(source, superuser):
    application = in_status(source, learner=LearnerFactory(minor=True))
    assert_refused(services.admit, application, "moins de 18 ans", role=Role.STAFF, actor=superuser)


def test_admit_into_a_full_session_waitlists_with_both_dates(superuser):
    application = in_status(Status.UNDER_REVIEW, session=SessionFactory(capacity=1, full=True))

    change = services.admit(application, role=Role.STAFF, actor=superuser, comment="Bon profil", now=NOW)

    application.refresh_from_db()
    assert (application.status, application.waitlisted_at, application.decided_at) == (Status.WAITLISTED, NOW, NOW)
    assert change.to_status == Status.WAITLISTED
    assert change.comment == "Bon profil Session complète : candidature mise en liste d’attente."
    assert seats(application.session) == 1


def test_admit_from_the_waitlist_into_a_full_session_is_refused(superuser):
    application = in_status(Status.WAITLISTED, session=SessionFactory(capacity=1, full=True))
    assert_refused(services.admit, application, "aucune place", role=Role.STAFF, actor=superuser)


def test_admit_from_the_waitlist_keeps_the_first_decision_date(superuser):
    application = in_status(Status.WAITLISTED, now=NOW)

    services.admit(application, role=Role.SYSTEM, now=LATER)

    application.refresh_from_db()
    assert (application.status, application.decided_at, application.waitlisted_at) == (Status.ADMITTED, NOW, NOW)


# --- waitlist, refuse, close, withdraw ----------------------------------------------------------


def test_waitlist_dates_the_waitlisting_and_the_decision_and_takes_no_seat(superuser):
    application = in_status(Status.SUBMITTED)

    services.waitlist(application, role=Role.STAFF, actor=superuser, now=NOW)

    application.refresh_from_db()
    assert (application.status, application.waitlisted_at, application.decided_at) == (Status.WAITLISTED, NOW, NOW)
    assert seats(application.session) == 0


@pytest.mark.parametrize("comment", ["", "   "])
def test_refuse_without_a_reason_is_refused(comment, superuser):
    application = in_status(Status.UNDER_REVIEW)
    assert_refused(services.refuse, application, "raison", role=Role.STAFF, actor=superuser, comment=comment)


@pytest.mark.parametrize(("source", "decided_first"), [(Status.UNDER_REVIEW, False), (Status.WAITLISTED, True)])
def test_refuse_keeps_the_reason_and_the_first_decision_date(source, decided_first, superuser):
    application = in_status(source, now=NOW)

    change = services.refuse(application, role=Role.STAFF, actor=superuser, comment="  Pas de prérequis  ", now=LATER)

    application.refresh_from_db()
    assert application.status == Status.REFUSED
    assert application.decided_at == (NOW if decided_first else LATER)
    assert change.comment == "Pas de prérequis"


def test_close_is_the_systems_and_dates_no_decision(superuser):
    application = in_status(Status.SUBMITTED)
    assert_refused(services.close, application, "Clore sans décision", role=Role.STAFF, actor=superuser)

    services.close(application, role=Role.SYSTEM, comment="Délai dépassé", now=NOW)

    application.refresh_from_db()
    assert (application.status, application.decided_at) == (Status.CLOSED, None)


def test_withdraw_frees_the_seat_for_the_first_in_line(superuser):
    session = SessionFactory(capacity=1)
    holder = in_status(Status.ENROLLED, session=session)
    waiting = in_status(Status.UNDER_REVIEW, session=session)
    services.admit(waiting, role=Role.STAFF, actor=superuser)
    assert waiting.status == Status.WAITLISTED

    services.withdraw(holder, role=Role.LEARNER, actor=holder.learner.user, now=NOW)

    assert Application.objects.get(pk=waiting.pk).status == Status.ADMITTED
    assert seats(session) == 1


def test_withdraw_by_someone_else_than_the_applicant_is_refused():
    application = in_status(Status.SUBMITTED)
    stranger = LearnerFactory().user
    assert_refused(services.withdraw, application, "personne qui a postulé", role=Role.LEARNER, actor=stranger)


def test_staff_cannot_decide_on_their_own_application():
    session = SessionFactory()
    staff = UserFactory(staff_of=session.campus)
    own = ApplicationFactory(session=session, learner=LearnerFactory(user=staff))

    assert_refused(services.admit, own, "votre propre candidature", role=Role.STAFF, actor=staff)
    colleague = UserFactory(staff_of=session.campus)
    services.admit(own, role=Role.STAFF, actor=colleague)
    assert own.status == Status.ADMITTED


# --- release_unpaid_seat ------------------------------------------------------------------------


def paid_session(**kwargs):
    return SessionFactory(price_cents=5000, fee_kind=FeeKind.FEE, **kwargs)


def pay(application, status=PaymentStatus.PAID):
    Payment.objects.create(
        application=application,
        amount_cents=5000,
        refunded_cents={PaymentStatus.PARTIALLY_REFUNDED: 2000, PaymentStatus.REFUNDED: 5000}.get(status, 0),
        fee_kind=FeeKind.FEE,
        method=PaymentMethod.CASH,
        status=status,
        paid_at=timezone.now() if status in SETTLED else None,
    )


def test_release_unpaid_seat_gives_the_seat_to_the_next_in_line_not_back(superuser):
    session = paid_session(capacity=1)
    holder = in_status(Status.ADMITTED, session=session)
    waiting = in_status(Status.UNDER_REVIEW, session=session)
    services.admit(waiting, role=Role.STAFF, actor=superuser)

    services.release_unpaid_seat(holder, role=Role.SYSTEM, comment="Paiement non reçu", now=NOW)

    holder.refresh_from_db()
    assert (holder.status, holder.waitlisted_at) == (Status.WAITLISTED, NOW)
    assert Application.objects.get(pk=waiting.pk).status == Status.ADMITTED
    assert seats(session) == 1


@pytest.mark.parametrize("payment", [PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED])
def test_release_unpaid_seat_refuses_a_seat_paid_for(payment):
    application = in_status(Status.ADMITTED, session=paid_session())
    pay(application, payment)
    assert_refused(services.release_unpaid_seat, application, "payée", role=Role.SYSTEM)


def test_release_unpaid_seat_is_the_systems(superuser):
    application = in_status(Status.ADMITTED, session=paid_session())
    assert_refused(services.release_unpaid_seat, application, "Place non payée", role=Role.STAFF, actor=superuser)


def test_change_status_to_the_waitlist_from_a_seat_takes_release_unpaid_seat_with_its_guard():
    application = in_status(Status.ADMITTED, session=paid_session())
    pay(application)
    assert_refused(change_status, application, "payée", target=Status.WAITLISTED, role=Role.SYSTEM)


@pytest.mark.parametrize("role", [Role.SYSTEM, Role.STAFF])
def test_a_named_transition_refuses_the_edge_of_another(role, superuser):
    application = in_status(Status.ADMITTED, session=paid_session())
    actor = superuser if role == Role.STAFF else None
    assert_refused(services.waitlist, application, "Impossible de passer", role=role, actor=actor)


# --- enrol --------------------------------------------------------------------------------------


@pytest.mark.parametrize("payment", [None, PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.REFUNDED])
def test_enrol_by_the_learner_on_a_paid_session_needs_a_payment(payment):
    application = in_status(Status.ADMITTED, session=paid_session())
    if payment:
        pay(application, payment)
    user = application.learner.user
    assert_refused(services.enrol, application, "payante", role=Role.LEARNER, actor=user)


@pytest.mark.parametrize(("role", "paid"), [(Role.LEARNER, True), (Role.STAFF, False), (Role.SYSTEM, False)], ids=str)
def test_enrol_keeps_the_seat(role, paid, superuser):
    application = in_status(Status.ADMITTED, session=paid_session())
    if paid:
        pay(application)
    actor = {Role.LEARNER: application.learner.user, Role.STAFF: superuser, Role.SYSTEM: None}[role]

    services.enrol(application, role=role, actor=actor, now=NOW)

    application.refresh_from_db()
    assert (application.status, application.status_changed_at) == (Status.ENROLLED, NOW)
    assert seats(application.session) == 1


def test_enrol_on_a_free_session_is_the_learners_to_confirm():
    application = in_status(Status.ADMITTED)
    services.enrol(application, role=Role.LEARNER, actor=application.learner.user)
    assert application.status == Status.ENROLLED


# --- During and after the training --------------------------------------------------------------


def test_start_keeps_the_seat_and_dates_no_exit(superuser):
    application = in_status(Status.ENROLLED, session=SessionFactory(past=True))

    services.start(application, role=Role.STAFF, actor=superuser, now=NOW)

    application.refresh_from_db()
    assert (application.status, application.left_on) == (Status.IN_TRAINING, None)
    assert application.started_on == timezone.localdate(NOW)
    assert seats(application.session) == 1


@pytest.mark.parametrize(("transition", "target"), [("complete", Status.COMPLETED), ("drop_out", Status.DROPPED_OUT)])
def test_leaving_the_training_dates_the_exit_and_keeps_the_seat_counted(transition, target, superuser):
    application = in_status(Status.IN_TRAINING)

    getattr(services, transition)(application, role=Role.STAFF, actor=superuser, now=NOW)

    application.refresh_from_db()
    assert (application.status, application.left_on) == (target, timezone.localdate(NOW))
    assert seats(application.session) == 1


@pytest.mark.parametrize(
    ("transition", "target"), [("certify", Status.CERTIFIED), ("fail_certification", Status.NOT_CERTIFIED)]
)
def test_certification_keeps_the_exit_date(transition, target, superuser):
    application = in_status(Status.COMPLETED, now=NOW)

    getattr(services, transition)(application, role=Role.STAFF, actor=superuser, now=LATER)

    application.refresh_from_db()
    assert (application.status, application.left_on) == (target, timezone.localdate(NOW))


@pytest.mark.parametrize(
    ("transition", "source"),
    [("start", Status.ADMITTED), ("complete", Status.ENROLLED), ("certify", Status.IN_TRAINING)],
)
def test_a_transition_from_the_wrong_status_is_refused(transition, source, superuser):
    application = in_status(source)
    assert_refused(getattr(services, transition), application, "Impossible", role=Role.STAFF, actor=superuser)
