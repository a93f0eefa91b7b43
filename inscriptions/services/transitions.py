"""Moving applications along the pipeline: one named function per transition, seats and waitlist, the history.

Each transition (admit, refuse, enrol…) is a function `name(application, *, role, actor=None, comment="", now=None,
on=None)` that returns the StatusChange written and updates `application` in place. All of them first go through
_begin(), which locks the session row, then the application row (the order of inscriptions/locking.py, so that
concurrent changes cannot deadlock) and checks the edge, the role and the actor against workflow.EDGES. Then the
transition's own guards run, and _perform() writes the move: seats, dates, history, e-mails, waitlist.
The steps that happened on a day (start, complete, drop_out, certify, fail_certification) take that day as `on`
(today by default) and refuse, with DateRefused, a day outside their bounds (check_step_day()).
change_status() is the same for callers who hold a target status rather than a transition name.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from formations.models import Session
from home import page_cache
from inscriptions.exceptions import DateRefused, Refused
from inscriptions.locking import lock_application, lock_applications, lock_session, retry_on_conflict
from inscriptions.models import STAGE_FIELDS, Application, PaymentStatus, StatusChange
from inscriptions.workflow import (
    EDGES,
    HOLDS_SEAT,
    UNDECIDED,
    AdmissionObstacle,
    Edge,
    Role,
    Status,
    Transition,
    edges_from,
    find_edge,
)

# A seat is paid for once money came in and was not all given back.
PAID_FOR = [PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED]
# What a transition writes on the application; save() adds the STAGE_FIELDS it changed.
MOVED_FIELDS = (
    "status",
    "status_changed_at",
    "waitlisted_at",
    "decided_at",
    "started_on",
    "left_on",
    "certification_on",
)

# --- Who may do what ----------------------------------------------------------------------------


def staff_can_decide(user, application):
    return (
        user.is_authenticated
        and user.has_perm("inscriptions.decide_application")
        and Application.objects.visible_to(user).filter(pk=application.pk).exists()
    )


def allowed_transitions(application, role):
    """The edges a role may take from the application's current status, in table order."""
    return edges_from(application.status, role)


def _check_actor(application, role, actor):
    if role == Role.LEARNER:
        if actor is None or application.learner.user_id != actor.pk:
            raise Refused(_("Seul·e la personne qui a postulé peut faire cela."))
    elif role == Role.STAFF and (actor is None or not staff_can_decide(actor, application)):
        raise Refused(_("Vous ne pouvez pas agir sur les candidatures de ce campus."))
    elif role == Role.STAFF and application.learner.user_id == actor.pk:
        # A member of staff who applies is a candidate like any other: someone else decides.
        raise Refused(
            _("Vous ne pouvez pas décider de votre propre candidature : demandez à une autre personne de l’équipe.")
        )


# --- Who may take a seat ------------------------------------------------------------------------


def admission_obstacle(learner, session, today):
    """What keeps this learner from a seat of this session today, or None.

    Admitting and the waitlist's promotion both ask this, so that they never disagree.
    """
    if learner.needs_guardian_consent(today):
        return AdmissionObstacle.GUARDIAN_CONSENT
    if session.seats_taken >= session.capacity:
        return AdmissionObstacle.SESSION_FULL
    return None


# --- The one way a status changes ---------------------------------------------------------------


@dataclass
class Move:
    """One transition under way: the locked rows, the edge taken, who asked and when."""

    application: Application
    session: Session
    edge: Edge
    role: str
    actor: object
    comment: str
    now: datetime.datetime
    on: datetime.date | None = None

    @property
    def today(self):
        return timezone.localdate(self.now)

    @property
    def day(self):
        """The day the step happened: the one staff gave, else today."""
        return self.on or self.today

    def decision_dates(self):
        """The first decision on an undecided application is dated; later ones keep that date."""
        if self.edge.source in UNDECIDED:
            return {"decided_at": self.application.decided_at or self.now}
        return {}


def _begin(application, target, name, *, role, actor, comment, now, on=None):
    """Lock the session then the application, and check the edge (and that it is the named transition's, if
    one is named), the role, the actor and the comment."""
    now = now or timezone.now()
    session = lock_session(application.session_id)
    # The application row only, not the joined learner: two sessions' waitlists may share learners.
    locked = lock_application(application.pk)
    target = Status(target)
    comment = (comment or "").strip()

    edge = find_edge(locked.status, target)
    if edge is None or name not in {None, edge.name}:
        raise Refused(
            _("Impossible de passer une candidature « %(source)s » à « %(target)s ».")
            % {"source": Status(locked.status).label, "target": target.label}
        )
    if role not in edge.roles:
        raise Refused(
            _("« %(action)s » n’est pas possible pour : %(role)s.") % {"action": edge.label, "role": Role(role).label}
        )
    _check_actor(locked, role, actor)
    if edge.comment_required and not comment:
        raise Refused(_("Expliquez la raison en quelques mots : elle est transmise à la personne."))
    return Move(locked, session, edge, role, actor, comment, now, on)


def _day(day):
    return day.strftime("%d/%m/%Y")


def check_step_day(application, session, name, day, today):
    """Refuse (DateRefused) a day that cannot be the day of this step: nothing that already happened is in the
    future; a start is not long before the session's start; an exit is not before the start, a certification's
    result not before the exit."""
    if day > today:
        raise DateRefused(
            _("Le %(day)s est dans le futur : notez ce qui s’est déjà passé, le jour où c’est arrivé.")
            % {"day": _day(day)}
        )
    earliest = session.start_date - datetime.timedelta(days=settings.TRAINING_START_TOLERANCE_DAYS)
    if name == Transition.START and day < earliest:
        raise DateRefused(
            _("La session commence le %(start)s : la formation ne peut pas avoir commencé avant le %(earliest)s.")
            % {"start": _day(session.start_date), "earliest": _day(earliest)}
        )
    exits = (Transition.COMPLETE, Transition.DROP_OUT)
    if name in exits and application.started_on and day < application.started_on:
        raise DateRefused(
            _("La formation a commencé le %(start)s : la sortie ne peut pas être avant.")
            % {"start": _day(application.started_on)}
        )
    results = (Transition.CERTIFY, Transition.FAIL_CERTIFICATION)
    if name in results and application.left_on and day < application.left_on:
        raise DateRefused(
            _("La sortie de formation est notée le %(left_on)s : le résultat ne peut pas être avant.")
            % {"left_on": _day(application.left_on)}
        )


def _perform(move, target=None, *, comment=None, **dates):
    """Write the move: seats, status and dates, history, the e-mails once the transaction commits, and a
    freed seat offered to the waitlist."""
    application, session = move.application, move.session
    source, target = application.status, target or move.edge.target
    seat_delta = (target in HOLDS_SEAT) - (source in HOLDS_SEAT)
    if seat_delta:
        Session.objects.filter(pk=session.pk).update(seats_taken=models.F("seats_taken") + seat_delta)
        session.seats_taken += seat_delta
        # Places left and « Complet : liste d'attente » are on the public pages stored for anonymous visitors.
        page_cache.bump()

    application.status = target
    application.status_changed_at = move.now
    for field, value in dates.items():
        setattr(application, field, value)
    # save() also raises the furthest stage and, on entering the training, records the entry facts.
    application.save(update_fields=MOVED_FIELDS)

    change = StatusChange.objects.create(
        application=application,
        from_status=source,
        to_status=target,
        actor=move.actor,
        role=move.role,
        comment=move.comment if comment is None else comment,
        created_at=move.now,
    )
    from inscriptions import notifications

    transaction.on_commit(lambda: notifications.status_changed(change.pk))

    if seat_delta < 0:
        # A seat given back by an unpaid hold goes to the others waiting, not straight back to its holder.
        promote_waitlist(session, now=move.now, exclude=application.pk if target == Status.WAITLISTED else None)
    return change


@retry_on_conflict
@transaction.atomic
def _run(application, target, name, *, role, actor, comment, now, on=None):
    move = _begin(application, target, name, role=role, actor=actor, comment=comment, now=now, on=on)
    change = _GUARDS[move.edge.name](move)
    for field in (*MOVED_FIELDS, *STAGE_FIELDS):
        setattr(application, field, getattr(move.application, field))
    # The caller's copy now matches the row: a later save compares its exit date with this one.
    application._stored_left_on = application.left_on
    application.__dict__.pop("waitlist_position", None)
    return change


def change_status(application, target, *, role, actor=None, comment="", now=None, on=None):
    """Move an application to `target` by the transition of that edge, or raise Refused with the reason.

    `on` is the day a dated step happened (workflow.DATED_STEPS); the other transitions ignore it.
    Returns the StatusChange written; `application` is updated in place.
    """
    return _run(application, target, None, role=role, actor=actor, comment=comment, now=now, on=on)


# --- The transitions, each with its guards and effects -------------------------------------------

_GUARDS = {}
_TARGETS = {edge.name: edge.target for edge in EDGES}


def _transition(name):
    """Register a transition's guards and effects (a function of the Move), and return the public function
    callers use: `name(application, *, role, actor=None, comment="", now=None, on=None)`."""

    def register(guards):
        _GUARDS[name] = guards

        def transition(application, *, role, actor=None, comment="", now=None, on=None):
            return _run(application, _TARGETS[name], name, role=role, actor=actor, comment=comment, now=now, on=on)

        transition.__name__ = transition.__qualname__ = guards.__name__
        transition.__doc__ = guards.__doc__
        return transition

    return register


@_transition(Transition.START_REVIEW)
def start_review(move):
    return _perform(move)


@_transition(Transition.ADMIT)
def admit(move):
    """Offer a seat. Into a full session, the decision is yes but the seat is not there yet: the application
    goes on the waitlist instead, unless it is already there."""
    obstacle = admission_obstacle(move.application.learner, move.session, move.today)
    if obstacle == AdmissionObstacle.SESSION_FULL and move.edge.source != Status.WAITLISTED:
        comment = " ".join(filter(None, [move.comment, _("Session complète : candidature mise en liste d’attente.")]))
        return _perform(move, Status.WAITLISTED, comment=comment, waitlisted_at=move.now, **move.decision_dates())
    if obstacle is not None:
        raise Refused(str(obstacle.label))
    return _perform(move, **move.decision_dates())


@_transition(Transition.WAITLIST)
def waitlist(move):
    return _perform(move, waitlisted_at=move.now, **move.decision_dates())


@_transition(Transition.RELEASE_UNPAID_SEAT)
def release_unpaid_seat(move):
    """A seat held for a payment that did not come in time goes back to the waitlist."""
    if move.application.payments.filter(status__in=PAID_FOR).exists():
        raise Refused(_("Cette place est payée : elle reste à la personne."))
    return _perform(move, waitlisted_at=move.now)


@_transition(Transition.REFUSE)
def refuse(move):
    # The table requires the comment (Edge.comment_required), so that forms can ask for it too.
    return _perform(move, **move.decision_dates())


@_transition(Transition.WITHDRAW)
def withdraw(move):
    return _perform(move)


@_transition(Transition.CLOSE)
def close(move):
    return _perform(move)


@_transition(Transition.ENROL)
def enrol(move):
    """Confirm the seat. On a paid session the learner cannot confirm it themselves: the payment does."""
    if (
        move.role == Role.LEARNER
        and move.session.is_paid
        and not move.application.payments.filter(status__in=PAID_FOR).exists()
    ):
        raise Refused(_("Cette session est payante : votre place est confirmée dès que le paiement est reçu."))
    return _perform(move)


def _dated(move):
    check_step_day(move.application, move.session, move.edge.name, move.day, move.today)
    return move.day


@_transition(Transition.START)
def start(move):
    """The learner began the training on `on`: not in the future, nor more than TRAINING_START_TOLERANCE_DAYS
    before the session's start."""
    return _perform(move, started_on=_dated(move))


@_transition(Transition.COMPLETE)
def complete(move):
    """The learner finished the training on `on`, not before they began. When the system closes it, nobody recorded
    the exit and the session is over: the learner left on the session's last day, not on the day of the closing."""
    if move.role == Role.SYSTEM:
        if move.session.end_date >= move.today:
            raise Refused(_("La session n’est pas finie : la formation ne peut pas être close automatiquement."))
        return _perform(move, left_on=move.session.end_date)
    return _perform(move, left_on=_dated(move))


@_transition(Transition.DROP_OUT)
def drop_out(move):
    """The learner left the training on `on` (their last day), not before they began."""
    return _perform(move, left_on=_dated(move))


@_transition(Transition.CERTIFY)
def certify(move):
    """The certification was obtained, its result known on `on`: not before the exit."""
    return _perform(move, certification_on=_dated(move))


@_transition(Transition.FAIL_CERTIFICATION)
def fail_certification(move):
    """The certification was not obtained, its result known on `on`: not before the exit."""
    return _perform(move, certification_on=_dated(move))


# --- The waitlist -------------------------------------------------------------------------------


def promote_waitlist(session, *, now=None, exclude=None):
    """Offer freed seats to the waitlist, first come first served. The caller holds the session lock.

    Only before the session starts: joining a training already under way is the campus's call. A minor
    still waiting for a parent's consent keeps their place in the queue, and the seat goes to the next.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    promoted = []
    if session.start_date < today:
        return promoted
    edge = find_edge(Status.WAITLISTED, Status.ADMITTED)
    comment = _("Une place s’est libérée : elle est proposée à la première personne en liste d’attente.")
    waitlist = Application.objects.waitlist(session).exclude(pk=exclude)
    for candidate in lock_applications(waitlist.select_related("learner")):
        obstacle = admission_obstacle(candidate.learner, session, today)
        if obstacle == AdmissionObstacle.SESSION_FULL:
            break
        if obstacle == AdmissionObstacle.GUARDIAN_CONSENT:
            continue
        _perform(Move(candidate, session, edge, Role.SYSTEM, None, comment, now))
        promoted.append(candidate)
    return promoted


def offer_new_seats(session):
    """After a session's edit: if it now has seats free and people waiting, the waitlist moves once committed."""
    session.refresh_from_db(fields=["seats_taken"])
    if session.seats_taken >= session.capacity:
        return
    if not Application.objects.waitlist(session).exists():
        return
    transaction.on_commit(lambda: promote_waitlist_for(session.pk))


@retry_on_conflict
@transaction.atomic
def promote_waitlist_for(session_pk, *, now=None):
    """Re-check the waitlist of a session, e.g. after staff raised its capacity."""
    return promote_waitlist(lock_session(session_pk), now=now)


def bulk_change_status(applications, target, *, actor, comment="", now=None, on=None):
    """Apply one staff decision (on one day, for a dated step) to several applications. Each is its own
    transaction: one refusal does not undo the others. Returns (done, refused) where refused maps application to
    reason."""
    done, refused = [], {}
    for application in applications:
        try:
            change_status(application, target, role=Role.STAFF, actor=actor, comment=comment, now=now, on=on)
            done.append(application)
        except Refused as error:
            refused[application] = error.reason
    return done, refused
