"""The enrolment pipeline as an explicit state machine: statuses, and who may move an application where.

The table below is the only place the edges are defined: each edge names the transition that takes it
(services.transitions holds one function per name, with its own guards and effects). The admin buttons,
the learner space and the tests all read it.
"""

import enum
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Envoyée")
    UNDER_REVIEW = "under_review", _("En cours d’étude")
    ADMITTED = "admitted", _("Admis·e")
    WAITLISTED = "waitlisted", _("En liste d’attente")
    REFUSED = "refused", _("Non retenue")
    WITHDRAWN = "withdrawn", _("Retirée")
    CLOSED = "closed", _("Close sans décision")
    ENROLLED = "enrolled", _("Inscrit·e")
    IN_TRAINING = "in_training", _("En formation")
    COMPLETED = "completed", _("Formation terminée")
    DROPPED_OUT = "dropped_out", _("Abandon en cours de formation")
    CERTIFIED = "certified", _("Certifié·e")
    NOT_CERTIFIED = "not_certified", _("Non certifié·e")


class Role(models.TextChoices):
    LEARNER = "learner", _("Candidat·e")
    STAFF = "staff", _("Équipe du campus")
    SYSTEM = "system", _("Automatique")


# Waiting for a decision from the campus.
UNDECIDED = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW})
# Ended before training: the learner may apply to the same session again.
INACTIVE = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.CLOSED})
# Holding one of the session's seats. Leaving the training keeps the seat counted: it was used.
HOLDS_SEAT = frozenset(
    {
        Status.ADMITTED,
        Status.ENROLLED,
        Status.IN_TRAINING,
        Status.COMPLETED,
        Status.DROPPED_OUT,
        Status.CERTIFIED,
        Status.NOT_CERTIFIED,
    }
)
# The learner has left the training: outcomes and follow-ups apply.
LEFT_TRAINING = frozenset({Status.COMPLETED, Status.DROPPED_OUT, Status.CERTIFIED, Status.NOT_CERTIFIED})
# The campus decided (admit, waitlist or refuse), so the decision is dated. Withdrawn may be either.
DECIDED = HOLDS_SEAT | {Status.WAITLISTED, Status.REFUSED}
NEVER_DECIDED = UNDECIDED | {Status.CLOSED}
# In the training or past it: the learner entered the training.
ENTERED_TRAINING = LEFT_TRAINING | {Status.IN_TRAINING}
# The certification's result is known (and dated).
CERTIFICATION_DECIDED = frozenset({Status.CERTIFIED, Status.NOT_CERTIFIED})
# A place, the training not started: the funders' questions asked at entry may be answered (or changed).
AWAITING_START = frozenset({Status.ADMITTED, Status.ENROLLED})


class Stage(models.IntegerChoices):
    """How far an application went. The funders count what was reached, even if the person left afterwards."""

    APPLIED = 0, _("a postulé")
    ADMITTED = 1, _("a reçu une place")
    ENROLLED = 2, _("a confirmé sa place")
    STARTED = 3, _("est entré·e en formation")

    @classmethod
    def of(cls, status):
        """The stage a status stands for. A withdrawal, a refusal or the waitlist stand for no stage: the
        application keeps the stage it had reached (Application.furthest_stage)."""
        if status in ENTERED_TRAINING:
            return cls.STARTED
        return {Status.ADMITTED: cls.ADMITTED, Status.ENROLLED: cls.ENROLLED}.get(status, cls.APPLIED)


class Transition(enum.StrEnum):
    START_REVIEW = "start_review"
    ADMIT = "admit"
    WAITLIST = "waitlist"
    RELEASE_UNPAID_SEAT = "release_unpaid_seat"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    ENROL = "enrol"
    START = "start"
    COMPLETE = "complete"
    DROP_OUT = "drop_out"
    CERTIFY = "certify"
    FAIL_CERTIFICATION = "fail_certification"


# The steps that happened on a given day, which staff record afterwards: what the confirmation screen says (with
# the person's name) and the label of its date field.
DATED_STEPS = {
    Transition.START: (_("Noter que %(name)s a commencé la formation"), _("Premier jour de formation")),
    Transition.COMPLETE: (_("Noter que %(name)s a terminé la formation"), _("Dernier jour de formation")),
    Transition.DROP_OUT: (_("Noter que %(name)s a abandonné la formation"), _("Dernier jour de présence")),
    Transition.CERTIFY: (_("Noter que %(name)s a obtenu la certification"), _("Date du résultat")),
    Transition.FAIL_CERTIFICATION: (
        _("Noter que %(name)s n’a pas obtenu la certification"),
        _("Date du résultat"),
    ),
}


class AdmissionObstacle(models.TextChoices):
    """What keeps a learner from a seat; the label is the reason given when admitting is refused."""

    GUARDIAN_CONSENT = (
        "guardian_consent",
        _("Cette personne a moins de 18 ans : l’accord d’un parent ou tuteur est nécessaire avant."),
    )
    SESSION_FULL = "session_full", _("La session est complète : aucune place ne s’est libérée.")


@dataclass(frozen=True)
class Edge:
    name: Transition
    source: str
    target: str
    roles: frozenset
    label: str
    comment_required: bool = False

    @property
    def dated(self):
        """Staff give the day it happened, on a confirmation screen (DATED_STEPS)."""
        return self.name in DATED_STEPS


def _edges(name, sources, target, roles, label, comment_required=False):
    return [Edge(name, source, target, frozenset(roles), label, comment_required) for source in sources]


STAFF, LEARNER, SYSTEM = Role.STAFF, Role.LEARNER, Role.SYSTEM

EDGES = [
    *_edges(Transition.START_REVIEW, [Status.SUBMITTED], Status.UNDER_REVIEW, {STAFF}, _("Commencer l’étude")),
    # Admitting into a full session puts the application on the waitlist instead (see services.transitions.admit).
    *_edges(Transition.ADMIT, [Status.SUBMITTED, Status.UNDER_REVIEW], Status.ADMITTED, {STAFF}, _("Admettre")),
    *_edges(Transition.ADMIT, [Status.WAITLISTED], Status.ADMITTED, {STAFF, SYSTEM}, _("Admettre")),
    # A seat held for a payment that never came goes back to the waitlist (paid sessions).
    *_edges(
        Transition.RELEASE_UNPAID_SEAT, [Status.ADMITTED], Status.WAITLISTED, {SYSTEM}, _("Place non payée à temps")
    ),
    *_edges(
        Transition.WAITLIST,
        [Status.SUBMITTED, Status.UNDER_REVIEW],
        Status.WAITLISTED,
        {STAFF},
        _("Mettre en liste d’attente"),
    ),
    *_edges(
        Transition.REFUSE,
        [Status.SUBMITTED, Status.UNDER_REVIEW, Status.WAITLISTED],
        Status.REFUSED,
        {STAFF},
        _("Ne pas retenir"),
        comment_required=True,
    ),
    *_edges(
        Transition.WITHDRAW,
        [Status.SUBMITTED, Status.UNDER_REVIEW, Status.WAITLISTED, Status.ADMITTED, Status.ENROLLED],
        Status.WITHDRAWN,
        # The system withdraws on account deletion and when an unpaid seat hold expires.
        {LEARNER, STAFF, SYSTEM},
        _("Retirer la candidature"),
    ),
    *_edges(
        Transition.CLOSE, [Status.SUBMITTED, Status.UNDER_REVIEW], Status.CLOSED, {SYSTEM}, _("Clore sans décision")
    ),
    # The learner confirms the offered seat; staff may record it; a payment confirms it (paid sessions).
    *_edges(
        Transition.ENROL, [Status.ADMITTED], Status.ENROLLED, {LEARNER, STAFF, SYSTEM}, _("Confirmer l’inscription")
    ),
    *_edges(Transition.START, [Status.ENROLLED], Status.IN_TRAINING, {STAFF}, _("Début de la formation")),
    # The system closes a training its session ended long ago, when nobody recorded the exit (close_ended_trainings).
    *_edges(Transition.COMPLETE, [Status.IN_TRAINING], Status.COMPLETED, {STAFF, SYSTEM}, _("Formation terminée")),
    *_edges(Transition.DROP_OUT, [Status.IN_TRAINING], Status.DROPPED_OUT, {STAFF}, _("Abandon")),
    *_edges(Transition.CERTIFY, [Status.COMPLETED], Status.CERTIFIED, {STAFF}, _("Certification obtenue")),
    *_edges(
        Transition.FAIL_CERTIFICATION,
        [Status.COMPLETED],
        Status.NOT_CERTIFIED,
        {STAFF},
        _("Certification non obtenue"),
    ),
]
EDGE_INDEX = {(edge.source, edge.target): edge for edge in EDGES}


def find_edge(source, target):
    return EDGE_INDEX.get((source, target))


def edges_from(source, role=None):
    return [edge for edge in EDGES if edge.source == source and (role is None or role in edge.roles)]


# What happens next, told to the learner in their space.
NEXT_STEP = {
    Status.SUBMITTED: _("Votre candidature est bien arrivée. L’équipe du campus va l’étudier."),
    Status.UNDER_REVIEW: _("L’équipe du campus étudie votre candidature. Elle peut vous appeler pour en parler."),
    Status.ADMITTED: _("Bonne nouvelle : une place vous attend. Confirmez-la pour être inscrit·e."),
    Status.WAITLISTED: _(
        "La session est complète pour l’instant. Si une place se libère, elle vous est proposée "
        "et vous recevez un e-mail."
    ),
    Status.REFUSED: _("Votre candidature n’a pas été retenue. Le campus peut vous conseiller une autre formation."),
    Status.WITHDRAWN: _("Vous avez retiré cette candidature. Vous pouvez postuler à nouveau."),
    Status.CLOSED: _(
        "Nous n’avons pas pu vous répondre à temps et nous en sommes désolés. Vous pouvez postuler à nouveau."
    ),
    Status.ENROLLED: _("Vous êtes inscrit·e. Le campus vous donne rendez-vous le premier jour."),
    Status.IN_TRAINING: _("Vous êtes en formation. Bon courage !"),
    Status.COMPLETED: _(
        "Vous avez terminé la formation. Le campus vous recontactera pour savoir ce que vous devenez."
    ),
    Status.DROPPED_OUT: _("Vous avez quitté la formation. Le campus reste là si vous voulez reprendre."),
    Status.CERTIFIED: _("Félicitations pour votre certification !"),
    Status.NOT_CERTIFIED: _("La certification n’a pas été obtenue cette fois. Parlez-en au campus pour la suite."),
}
