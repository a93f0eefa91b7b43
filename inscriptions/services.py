"""Business rules of enrolment: applying, moving along the pipeline, seats and waitlist, outcomes, erasure.

Every status change goes through change_status(), which locks the session row, then the application row
(always in that order, so that concurrent changes cannot deadlock), checks the edge and the role, keeps
the session's seat counter right, and writes the history.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from formations.models import Session
from inscriptions.enums import FollowUpMilestone, FollowUpSource
from inscriptions.models import (
    Application,
    FollowUp,
    FollowUpSurvey,
    Learner,
    PaymentStatus,
    StaffNote,
    StatusChange,
    add_months,
    age_on,
)
from inscriptions.workflow import HOLDS_SEAT, INACTIVE, LEFT_TRAINING, UNDECIDED, Role, Status, edges_from, find_edge

logger = logging.getLogger(__name__)


class Refused(Exception):
    """An action the rules do not allow. `reason` is a sentence in French for the person who asked."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


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


# --- Applying -----------------------------------------------------------------------------------


def application_refusal(learner, session, today=None):
    """Why this learner cannot apply to this session now, or None."""
    today = today or timezone.localdate()
    if learner.anonymised_at:
        return _("Ce compte a été supprimé.")
    if not learner.has_consented:
        return _("Complétez votre profil et acceptez la notice de confidentialité avant de postuler.")
    if not session.accepts_applications(today):
        return _("Les candidatures sont fermées pour cette session.")
    age = learner.age(today)
    if age is None or age < 16:
        return _("Les formations sont ouvertes à partir de 16 ans.")
    if Application.objects.active().filter(learner=learner, session=session).exists():
        return _("Vous avez déjà une candidature en cours pour cette session.")
    return None


def submit_application(learner, session, *, motivation, availability, constraints="", cv=None, now=None):
    now = now or timezone.now()
    today = timezone.localdate(now)
    reason = application_refusal(learner, session, today)
    if reason:
        raise Refused(reason)
    try:
        with transaction.atomic():
            application = Application(
                learner=learner,
                session=session,
                campus_id=session.campus_id,
                motivation=motivation.strip(),
                availability=availability,
                constraints=constraints.strip(),
                age_on_submission=age_on(learner.birth_date, today),
                submitted_at=now,
                status_changed_at=now,
            )
            if cv:
                application.cv = cv
            application.save()
            change = StatusChange.objects.create(
                application=application,
                from_status="",
                to_status=Status.SUBMITTED,
                actor=learner.user,
                role=Role.LEARNER,
                created_at=now,
            )
    except IntegrityError as error:
        # The file is stored before the row is inserted: a refused duplicate must not leave its CV behind.
        if application.cv:
            application.cv.delete(save=False)
        # Two submissions of the same form at once: the unique constraint keeps only one.
        if Application.objects.active().filter(learner=learner, session=session).exists():
            raise Refused(_("Vous avez déjà une candidature en cours pour cette session.")) from error
        raise
    from inscriptions import notifications

    transaction.on_commit(lambda: notifications.status_changed(change.pk))
    if learner.needs_guardian_consent(today) and learner.guardian_email:
        transaction.on_commit(lambda: notifications.ask_guardian_consent(learner.pk))
    return application


def record_guardian_consent(learner, *, method, recorded_by=None, now=None):
    learner.guardian_consent_at = now or timezone.now()
    learner.guardian_consent_method = method
    learner.guardian_consent_recorded_by = recorded_by
    learner.save(update_fields=["guardian_consent_at", "guardian_consent_method", "guardian_consent_recorded_by"])


def record_consent(learner, *, now=None):
    learner.consent_at = now or timezone.now()
    learner.consent_version = settings.PRIVACY_NOTICE_VERSION


# --- Nobody left without an answer --------------------------------------------------------------


def overdue_applications(now=None):
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.APPLICATION_REVIEW_REMINDER_DAYS)
    return Application.objects.undecided().filter(submitted_at__lte=limit)


def remind_overdue_applications(now=None):
    """Tell each campus's staff, once per application, which applications still wait for a decision."""
    now = now or timezone.now()
    pending = list(overdue_applications(now).filter(reminder_sent_at__isnull=True).values_list("campus_id", "pk"))
    by_campus = {}
    for campus_id, pk in pending:
        by_campus.setdefault(campus_id, []).append(pk)
    from inscriptions import notifications

    for campus_id, pks in by_campus.items():
        Application.objects.filter(pk__in=pks).update(reminder_sent_at=now)
        transaction.on_commit(lambda c=campus_id, p=pks: notifications.overdue_digest(c, p))
    return len(pending)


def close_abandoned_applications(now=None):
    """Close, with an apology to the applicant, applications nobody decided on in time."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.APPLICATION_CLOSE_AFTER_DAYS)
    closed = 0
    for application in Application.objects.undecided().filter(submitted_at__lte=limit).order_by("pk"):
        try:
            change_status(
                application,
                Status.CLOSED,
                role=Role.SYSTEM,
                comment=_("Aucune décision n’a été prise dans le délai prévu."),
                now=now,
            )
            closed += 1
        except Refused:
            # Decided meanwhile by someone else: nothing to close.
            continue
    return closed


# --- Outcomes -----------------------------------------------------------------------------------


def follow_ups_due(applications, today=None):
    """For each milestone, the applications (of the given queryset) whose follow-up is due and missing."""
    today = today or timezone.localdate()
    due = {}
    for milestone in FollowUpMilestone:
        cutoff = add_months(today, -milestone.value)
        due[milestone] = (
            applications.left_training()
            .filter(left_on__lte=cutoff)
            .exclude(follow_ups__milestone=milestone)
            .select_related("learner", "session__formation", "campus")
            .order_by("left_on", "pk")
        )
    return due


def record_follow_up(
    application,
    milestone,
    *,
    placement,
    recorded_by=None,
    source=FollowUpSource.STAFF,
    keep_existing=False,
    **fields,
):
    """Record (or correct) what the learner was doing at a milestone after leaving.

    With `keep_existing`, a follow-up already recorded for that milestone is returned unchanged: a learner's
    own answer never overwrites what the staff checked.
    """
    milestone = FollowUpMilestone(milestone)
    if application.status not in LEFT_TRAINING or application.left_on is None:
        raise Refused(_("Le suivi se fait après la sortie de formation."))
    due_on = add_months(application.left_on, milestone.value)
    # A little early is fine (a learner who signs a contract before the date); a year early is a mistake.
    if due_on - timezone.localdate() > datetime.timedelta(days=31):
        raise Refused(
            _("Ce suivi pourra être saisi à partir du %(date)s.")
            % {"date": (due_on - datetime.timedelta(days=31)).strftime("%d/%m/%Y")}
        )
    values = {"placement": placement, "recorded_by": recorded_by, "source": source, **fields}
    if keep_existing:
        follow_up, _created = FollowUp.objects.get_or_create(
            application=application, milestone=milestone, defaults=values
        )
    else:
        follow_up, _created = FollowUp.objects.update_or_create(
            application=application, milestone=milestone, defaults=values
        )
    return follow_up


def add_staff_note(application, *, author, text):
    text = (text or "").strip()
    if not text:
        raise Refused(_("La note est vide."))
    return StaffNote.objects.create(application=application, author=author, text=text)


# --- The learner's own data ---------------------------------------------------------------------


def export_learner_data(learner):
    """Everything Tremplin holds about a learner, for the right of access (RGPD art. 15 and 20)."""
    user = learner.user
    profile_fields = [
        field
        for field in Learner._meta.concrete_fields
        if field.name not in {"id", "user", "guardian_consent_recorded_by", "anonymised_at"}
    ]

    def value(obj, field):
        raw = getattr(obj, field.attname)
        if isinstance(raw, datetime.date | datetime.datetime):
            return raw.isoformat()
        if field.choices and raw:
            return {"code": raw, "libellé": str(getattr(obj, f"get_{field.name}_display")())}
        return raw

    applications = (
        learner.applications.select_related("session__formation", "campus")
        .prefetch_related("history", "notes", "follow_ups", "surveys")
        .order_by("submitted_at")
    )
    return {
        "export_fait_le": timezone.now().isoformat(),
        "compte": {
            "e-mail": user.email if user else "",
            "inscrit_le": user.date_joined.isoformat() if user else None,
            "dernière_connexion": user.last_login.isoformat() if user and user.last_login else None,
        },
        "profil": {str(field.verbose_name): value(learner, field) for field in profile_fields},
        "candidatures": [
            {
                "formation": application.session.formation.title,
                "campus": application.campus.title,
                "session": {
                    "début": application.session.start_date.isoformat(),
                    "fin": application.session.end_date.isoformat(),
                },
                "statut": str(Status(application.status).label),
                "envoyée_le": application.submitted_at.isoformat(),
                "motivation": application.motivation,
                "disponibilités": str(application.get_availability_display()),
                "contraintes": application.constraints,
                "cv_joint": bool(application.cv),
                "sortie_le": application.left_on.isoformat() if application.left_on else None,
                "historique": [
                    {
                        "le": change.created_at.isoformat(),
                        "de": str(Status(change.from_status).label) if change.from_status else None,
                        "vers": str(Status(change.to_status).label),
                        "par": str(Role(change.role).label),
                        "commentaire": change.comment,
                    }
                    for change in application.history.all()
                ],
                "notes_de_l_équipe": [
                    {"le": note.created_at.isoformat(), "note": note.text} for note in application.notes.all()
                ],
                "suivis": [
                    {
                        "moment": str(follow_up.get_milestone_display()),
                        "situation": str(follow_up.get_placement_display()),
                        "employeur": follow_up.employer,
                        "poste": follow_up.job_title,
                        "depuis": follow_up.start_date.isoformat() if follow_up.start_date else None,
                    }
                    for follow_up in application.follow_ups.all()
                ],
                "questionnaires_de_suivi": [
                    {
                        "moment": str(survey.get_milestone_display()),
                        "envoyé_le": survey.sent_at.isoformat(),
                        "relance_le": survey.reminded_at.isoformat() if survey.reminded_at else None,
                        "lien_valable_jusqu_au": survey.expires_at.isoformat(),
                        "réponse_reçue_le": survey.answered_at.isoformat() if survey.answered_at else None,
                    }
                    for survey in application.surveys.all()
                ],
            }
            for application in applications
        ],
    }


def erase_learner(learner, *, now=None):
    """Delete a learner's account: personal data erased, anonymous facts kept for the campus's counts.

    Open applications are withdrawn first, so their seats go to the waitlist. What stays: age at
    application, gender, QPV residence (yes/no), diploma, situation, RQTH, referrer kind, statuses and
    their dates, and the kind of placement. What goes: names, contact details, birth date, address,
    texts written by the learner or about them, the CV, the employer's name, the answers to the European
    Social Fund's questions (nationality, origin, housing), the consent to named data, and any open survey link.
    """
    now = now or timezone.now()
    user = learner.user
    for application in learner.applications.exclude(status__in=INACTIVE | LEFT_TRAINING | {Status.IN_TRAINING}):
        if find_edge(application.status, Status.WITHDRAWN):
            change_status(
                application, Status.WITHDRAWN, role=Role.SYSTEM, comment=_("Compte supprimé par la personne."), now=now
            )
    with transaction.atomic():
        applications = learner.applications.all()
        for application in applications.exclude(cv=""):
            application.cv.delete(save=False)
        applications.update(motivation="", constraints="", cv="")
        StaffNote.objects.filter(application__learner=learner).delete()
        # The history's dates and statuses stay; only the free text, which may name the person, goes.
        models.QuerySet.update(StatusChange.objects.filter(application__learner=learner), comment="")
        FollowUp.objects.filter(application__learner=learner).update(employer="", job_title="")
        # The counts keep the surveys that were answered; a link still open must stop working.
        FollowUpSurvey.objects.filter(application__learner=learner, expires_at__gt=now).update(expires_at=now)
        Learner.objects.filter(pk=learner.pk).update(
            user=None,
            first_name="",
            last_name="",
            phone="",
            birth_date=None,
            postcode="",
            commune="",
            qpv=None,
            referrer_detail="",
            guardian_name="",
            guardian_email="",
            nationality="",
            foreign_background="",
            housing_exclusion=False,
            rural_area=False,
            named_data_consent_at=None,
            anonymised_at=now,
        )
        if user is not None:
            user.delete()
    learner.refresh_from_db()
    return learner


def send_follow_up_digests(today=None):
    """Tell each campus team how many follow-ups are due and missing. Meant for a weekly run."""
    today = today or timezone.localdate()
    counts = {}
    for milestone, applications in follow_ups_due(Application.objects.all(), today).items():
        for row in applications.order_by().values("campus_id").annotate(due=models.Count("pk")):
            counts.setdefault(row["campus_id"], {})[int(milestone)] = row["due"]
    from inscriptions import notifications

    for campus_id, due in counts.items():
        transaction.on_commit(lambda c=campus_id, d=due: notifications.follow_ups_digest(c, d))
    return counts
