"""Moving applications along the pipeline: who may, seats and waitlist, the history.

Every status change goes through change_status(), which locks the session row, then the application row
(always in that order, so that concurrent changes cannot deadlock), checks the edge and the role, keeps
the session's seat counter right, and writes the history.
"""

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from formations.models import Session
from inscriptions.exceptions import Refused
from inscriptions.models import Application, PaymentStatus, StatusChange
from inscriptions.workflow import HOLDS_SEAT, UNDECIDED, Role, Status, edges_from, find_edge

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


# --- Status changes -----------------------------------------------------------------------------


@transaction.atomic
def change_status(application, target, *, role, actor=None, comment="", now=None):
    """Move an application along one edge of the pipeline, or raise Refused with the reason.

    Admitting into a full session puts the application on the waitlist instead: the decision is yes,
    the seat is not there yet. Returns the StatusChange written; `application` is updated in place.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    session = Session.objects.select_for_update().get(pk=application.session_id)
    # Lock the application row only, not the joined learner: two sessions' waitlists may share learners.
    locked = Application.objects.select_for_update(of=("self",)).select_related("learner").get(pk=application.pk)
    target = Status(target)
    comment = (comment or "").strip()

    edge = find_edge(locked.status, target)
    if edge is None:
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

    if (
        target == Status.ENROLLED
        and role == Role.LEARNER
        and session.is_paid
        and not locked.payments.filter(status__in=[PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED]).exists()
    ):
        raise Refused(_("Cette session est payante : votre place est confirmée dès que le paiement est reçu."))
    if target == Status.ADMITTED:
        if locked.learner.needs_guardian_consent(today):
            raise Refused(_("Cette personne a moins de 18 ans : l’accord d’un parent ou tuteur est nécessaire avant."))
        if session.seats_taken >= session.capacity:
            if locked.status == Status.WAITLISTED:
                raise Refused(_("La session est complète : aucune place ne s’est libérée."))
            target = Status.WAITLISTED
            comment = " ".join(filter(None, [comment, _("Session complète : candidature mise en liste d’attente.")]))

    change = _apply(locked, session, target, role=role, actor=actor, comment=comment, now=now)

    if locked.status not in HOLDS_SEAT and change.from_status in HOLDS_SEAT:
        # A seat given back by an unpaid hold goes to the others waiting, not straight back to its holder.
        promote_waitlist(session, now=now, exclude=locked.pk if locked.status == Status.WAITLISTED else None)

    for field in ("status", "status_changed_at", "waitlisted_at", "decided_at", "left_on"):
        setattr(application, field, getattr(locked, field))
    application.__dict__.pop("waitlist_position", None)
    return change


def _apply(application, session, target, *, role, actor, comment, now):
    """Write one transition: seats, dates, history, then the e-mails once the transaction commits."""
    source = application.status
    seat_delta = (target in HOLDS_SEAT) - (source in HOLDS_SEAT)
    if seat_delta:
        Session.objects.filter(pk=session.pk).update(seats_taken=models.F("seats_taken") + seat_delta)
        session.seats_taken += seat_delta

    application.status = target
    application.status_changed_at = now
    if target == Status.WAITLISTED:
        application.waitlisted_at = now
    if source in UNDECIDED and target in {Status.ADMITTED, Status.WAITLISTED, Status.REFUSED}:
        application.decided_at = application.decided_at or now
    if target in {Status.COMPLETED, Status.DROPPED_OUT}:
        application.left_on = timezone.localdate(now)
    application.save(update_fields=["status", "status_changed_at", "waitlisted_at", "decided_at", "left_on"])

    change = StatusChange.objects.create(
        application=application,
        from_status=source,
        to_status=target,
        actor=actor,
        role=role,
        comment=comment,
        created_at=now,
    )
    from inscriptions import notifications

    transaction.on_commit(lambda: notifications.status_changed(change.pk))
    return change


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
    waitlist = Application.objects.waitlist(session).exclude(pk=exclude)
    for candidate in waitlist.select_related("learner").select_for_update(of=("self",)):
        if session.seats_taken >= session.capacity:
            break
        if candidate.learner.needs_guardian_consent(today):
            continue
        _apply(
            candidate,
            session,
            Status.ADMITTED,
            role=Role.SYSTEM,
            actor=None,
            comment=_("Une place s’est libérée : elle est proposée à la première personne en liste d’attente."),
            now=now,
        )
        promoted.append(candidate)
    return promoted


def promote_waitlist_for(session_pk, *, now=None):
    """Re-check the waitlist of a session, e.g. after staff raised its capacity."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_pk)
        return promote_waitlist(session, now=now)


def bulk_change_status(applications, target, *, actor, comment="", now=None):
    """Apply one staff decision to several applications. Each is its own transaction: one refusal
    does not undo the others. Returns (done, refused) where refused maps application to reason."""
    done, refused = [], {}
    for application in applications:
        try:
            change_status(application, target, role=Role.STAFF, actor=actor, comment=comment, now=now)
            done.append(application)
        except Refused as error:
            refused[application] = error.reason
    return done, refused
