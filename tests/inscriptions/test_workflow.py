"""The pipeline table is the law: every edge works for its roles, every other move is refused and changes nothing."""

import datetime
import itertools

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from formations.models import Session
from inscriptions.enums import Availability, GuardianConsentMethod
from inscriptions.models import Application, StatusChange, add_months
from inscriptions.services import Refused, change_status, record_guardian_consent, submit_application
from inscriptions.workflow import EDGE_INDEX, EDGES, HOLDS_SEAT, Role, Status, Transition
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, begin_session_by, move_to

# Later than the factories' "now", so that the change comes last in the history.
NOW = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
FORBIDDEN = [pair for pair in itertools.product(Status, Status) if pair not in EDGE_INDEX]


def walk(application, target, *, now=None):
    """move_to with a superuser, since most edges are the staff's."""
    return move_to(application, target, actor=UserFactory(superuser=True), now=now)


def actor_for(role, application):
    if role == Role.LEARNER:
        return application.learner.user
    if role == Role.STAFF:
        return UserFactory(staff_of=application.campus)
    return None


def assert_seats_match(session):
    session = Session.objects.get(pk=session.pk)
    assert session.seats_taken == Application.objects.filter(session=session, status__in=HOLDS_SEAT).count()


def snapshot(application):
    application.refresh_from_db()
    session = Session.objects.get(pk=application.session_id)
    history = list(application.history.values_list("pk", "from_status", "to_status", "comment"))
    return application.status, application.status_changed_at, session.seats_taken, history


@pytest.mark.parametrize(
    ("edge", "role"),
    [(edge, role) for edge in EDGES for role in sorted(edge.roles)],
    ids=lambda value: value if isinstance(value, str) else f"{value.source}->{value.target}",
)
def test_every_edge_works_for_each_of_its_roles_and_writes_one_history_line(edge, role):
    # The system completes a training only once its session is over.
    # Staff record a start only once the session has begun (or is about to).
    ended = (edge.name, role) == (Transition.COMPLETE, Role.SYSTEM)
    session = SessionFactory(ended=True) if ended else SessionFactory(past=edge.name == Transition.START)
    application = walk(ApplicationFactory(session=session), edge.source)
    actor = actor_for(role, application)
    before = application.history.count()

    change = change_status(application, edge.target, role=role, actor=actor, comment="Un mot de l’équipe", now=NOW)

    application.refresh_from_db()
    assert application.status == edge.target
    assert application.status_changed_at == NOW
    assert application.history.count() == before + 1
    assert application.history.last() == change
    assert (change.from_status, change.to_status, change.role) == (edge.source, edge.target, role)
    assert change.actor == actor
    assert change.comment == "Un mot de l’équipe"
    assert change.created_at == NOW
    assert_seats_match(application.session)


@pytest.mark.parametrize(("source", "target"), FORBIDDEN, ids=lambda status: str(status))
def test_every_other_move_is_refused_with_a_reason_and_changes_nothing(source, target):
    application = walk(ApplicationFactory(), source)
    before = snapshot(application)
    superuser = UserFactory(superuser=True)

    for role, actor in ((Role.STAFF, superuser), (Role.SYSTEM, None), (Role.LEARNER, application.learner.user)):
        with pytest.raises(Refused) as refused:
            change_status(application, target, role=role, actor=actor, comment="Essai")
        assert refused.value.reason
        assert snapshot(application) == before


def test_the_table_and_the_forbidden_pairs_cover_every_pair():
    assert len(FORBIDDEN) + len(EDGE_INDEX) == len(Status) ** 2
    assert len(EDGE_INDEX) == len(EDGES), "an edge is defined twice"


# --- Who may act ----------------------------------------------------------------------------------


def test_a_learner_cannot_admit_themselves():
    application = ApplicationFactory()
    with pytest.raises(Refused, match="Admettre"):
        change_status(application, Status.ADMITTED, role=Role.LEARNER, actor=application.learner.user)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_staff_of_another_campus_cannot_decide():
    application = ApplicationFactory()
    other_staff = UserFactory(staff_of=CampusPageFactory())
    with pytest.raises(Refused, match="ce campus"):
        change_status(application, Status.UNDER_REVIEW, role=Role.STAFF, actor=other_staff)
    assert application.history.count() == 1


def test_staff_without_any_campus_and_anonymous_staff_action_are_refused():
    application = ApplicationFactory()
    for actor in (UserFactory(), None):
        with pytest.raises(Refused):
            change_status(application, Status.UNDER_REVIEW, role=Role.STAFF, actor=actor)


def test_a_superuser_may_decide_for_any_campus():
    application = ApplicationFactory()
    change_status(application, Status.UNDER_REVIEW, role=Role.STAFF, actor=UserFactory(superuser=True))
    assert application.status == Status.UNDER_REVIEW


def test_a_learner_cannot_act_on_another_learners_application():
    application = ApplicationFactory()
    stranger = LearnerFactory()
    with pytest.raises(Refused, match="personne qui a postulé"):
        change_status(application, Status.WITHDRAWN, role=Role.LEARNER, actor=stranger.user)
    with pytest.raises(Refused):
        change_status(application, Status.WITHDRAWN, role=Role.LEARNER, actor=None)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_closing_without_decision_is_for_the_system_only():
    application = ApplicationFactory()
    staff = UserFactory(staff_of=application.campus)
    with pytest.raises(Refused, match="Clore sans décision"):
        change_status(application, Status.CLOSED, role=Role.STAFF, actor=staff)
    change_status(application, Status.CLOSED, role=Role.SYSTEM)
    assert application.status == Status.CLOSED


@pytest.mark.parametrize("comment", ["", "   ", None])
def test_a_refusal_needs_a_comment(comment):
    application = ApplicationFactory()
    staff = UserFactory(staff_of=application.campus)
    with pytest.raises(Refused, match="raison"):
        change_status(application, Status.REFUSED, role=Role.STAFF, actor=staff, comment=comment)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    change_status(application, Status.REFUSED, role=Role.STAFF, actor=staff, comment="  Profil trop avancé.  ")
    assert application.history.last().comment == "Profil trop avancé."


# --- History --------------------------------------------------------------------------------------


def test_history_can_be_neither_edited_nor_deleted():
    application = walk(ApplicationFactory(), Status.ADMITTED)
    change = application.history.last()
    change.comment = "Réécrit"
    with pytest.raises(TypeError):
        change.save()
    with pytest.raises(TypeError):
        change.delete()
    with pytest.raises(TypeError):
        StatusChange.objects.filter(application=application).update(comment="Réécrit")
    with pytest.raises(TypeError):
        StatusChange.objects.filter(application=application).delete()
    with pytest.raises(TypeError):
        application.history.all().delete()
    assert not StatusChange.objects.filter(comment="Réécrit").exists()
    assert application.history.count() == 2


# --- Minors ---------------------------------------------------------------------------------------


def test_a_minor_without_guardian_consent_cannot_be_admitted_until_a_parent_agrees():
    application = ApplicationFactory(learner=LearnerFactory(minor=True))
    staff = UserFactory(staff_of=application.campus)
    with pytest.raises(Refused, match="moins de 18 ans"):
        change_status(application, Status.ADMITTED, role=Role.STAFF, actor=staff)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert_seats_match(application.session)

    record_guardian_consent(application.learner, method=GuardianConsentMethod.PAPER, recorded_by=staff)
    change_status(application, Status.ADMITTED, role=Role.STAFF, actor=staff)
    assert application.status == Status.ADMITTED
    assert_seats_match(application.session)


def test_a_learner_who_turned_18_needs_no_consent():
    learner = LearnerFactory(birth_date=add_months(timezone.localdate(), -12 * 18))
    application = ApplicationFactory(learner=learner)
    change_status(application, Status.ADMITTED, role=Role.STAFF, actor=UserFactory(superuser=True))
    assert application.status == Status.ADMITTED


# --- Seats ----------------------------------------------------------------------------------------


def test_seats_taken_follows_the_applications_holding_a_seat_through_a_busy_life():
    session = SessionFactory(capacity=3)
    staff = UserFactory(staff_of=session.campus)
    applications = [ApplicationFactory(session=session) for _ in range(6)]
    steps = [
        (0, Status.ADMITTED),
        (1, Status.UNDER_REVIEW),
        (1, Status.ADMITTED),
        (2, Status.ADMITTED),
        (3, Status.ADMITTED),  # full: waitlisted
        (0, Status.ENROLLED),
        (1, Status.WITHDRAWN),  # frees a seat: 3 is promoted
        (4, Status.WAITLISTED),
        (2, Status.ENROLLED),
        (2, Status.WITHDRAWN),  # frees a seat: 4 is promoted
        (5, Status.REFUSED),
        "the session begins",
        (0, Status.IN_TRAINING),
        (0, Status.DROPPED_OUT),  # the seat stays used
    ]
    for step in steps:
        if step == "the session begins":
            begin_session_by(session, timezone.localdate())
            continue
        index, target = step
        change_status(applications[index], target, role=Role.STAFF, actor=staff, comment="Pour le test")
        assert_seats_match(session)
    statuses = [Application.objects.get(pk=application.pk).status for application in applications]
    assert statuses == [
        Status.DROPPED_OUT,
        Status.WITHDRAWN,
        Status.WITHDRAWN,
        Status.ADMITTED,
        Status.ADMITTED,
        Status.REFUSED,
    ]
    assert Session.objects.get(pk=session.pk).seats_taken == 3


def test_decision_and_exit_dates_are_recorded():
    decided = NOW - datetime.timedelta(days=40)
    application = ApplicationFactory(submitted_at=decided - datetime.timedelta(days=5))
    walk(application, Status.ADMITTED, now=decided)
    assert application.decided_at == decided
    walk(application, Status.COMPLETED, now=NOW)
    assert application.decided_at == decided
    assert application.left_on == timezone.localdate(NOW)


# --- One active application per learner and session -----------------------------------------------


def submit(learner, session):
    return submit_application(
        learner, session, motivation="J’aimerais apprendre à coder.", availability=Availability.FULL
    )


def test_submitting_twice_to_the_same_session_is_refused():
    learner, session = LearnerFactory(), SessionFactory()
    first = submit(learner, session)
    with pytest.raises(Refused, match="déjà une candidature"):
        submit(learner, session)
    assert list(Application.objects.filter(learner=learner)) == [first]
    assert first.history.get().role == Role.LEARNER


@pytest.mark.parametrize("ended", [Status.WITHDRAWN, Status.REFUSED, Status.CLOSED])
def test_after_an_application_ended_the_learner_may_apply_again(ended):
    learner, session = LearnerFactory(), SessionFactory()
    first = submit(learner, session)
    if ended == Status.WITHDRAWN:
        change_status(first, ended, role=Role.LEARNER, actor=learner.user)
    else:
        walk(first, ended)
    second = submit(learner, session)
    assert second.pk != first.pk
    assert second.status == Status.SUBMITTED
    assert Application.objects.active().filter(learner=learner, session=session).get() == second


def test_the_database_refuses_a_second_active_application_even_past_the_checks():
    first = ApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(learner=first.learner, session=first.session, motivation="Course")
    walk(first, Status.CLOSED)
    Application.objects.create(learner=first.learner, session=first.session, motivation="Nouvelle chance")


def stored_files(path=""):
    storage = storages["private"]
    if path and not storage.exists(path):
        return []
    directories, files = storage.listdir(path)
    found = [f"{path}/{name}".lstrip("/") for name in files]
    for directory in directories:
        found += stored_files(f"{path}/{directory}".lstrip("/"))
    return sorted(found)


def test_a_duplicate_lost_in_a_race_leaves_no_cv_behind(monkeypatch):
    first = ApplicationFactory()
    # The other submission passed the checks before the first one was saved.
    monkeypatch.setattr("inscriptions.services.applying.application_refusal", lambda *args, **kwargs: None)
    stored_before = stored_files()
    with pytest.raises(Refused, match="déjà une candidature"):
        submit_application(
            first.learner,
            first.session,
            motivation="Encore moi",
            availability=Availability.FULL,
            cv=ContentFile(b"%PDF-1.4\n%%EOF\n", name="cv.pdf"),
        )
    assert Application.objects.filter(learner=first.learner).count() == 1
    assert stored_files() == stored_before
