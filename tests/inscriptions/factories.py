import datetime
from collections import deque

import factory
from django.conf import settings
from django.utils import timezone

from formations.models import Session
from inscriptions.enums import (
    Diploma,
    FollowUpMilestone,
    Gender,
    JobSeekingDuration,
    Nationality,
    Placement,
    QpvResidence,
    Referrer,
    Situation,
    YesNoUnsaid,
)
from inscriptions.models import (
    ANSWER_NAMES,
    Application,
    EntryAnswers,
    FollowUp,
    Learner,
    Payment,
    PaymentMethod,
    PaymentStatus,
    StatusChange,
)
from inscriptions.services import change_status
from inscriptions.workflow import DECIDED, EDGES, LEFT_TRAINING, Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory


def years_ago(years, days=0):
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


class EntryAnswersFactory(factory.django.DjangoModelFactory):
    """Answers to the funders' questions, given after admission: every one unusual, so that a page showing any of
    them is caught."""

    learner = factory.SubFactory("tests.inscriptions.factories.LearnerFactory")
    rqth = True
    nationality = Nationality.OTHER
    foreign_background = YesNoUnsaid.YES
    housing_exclusion = True
    rural_area = True
    answered_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = EntryAnswers


class LearnerFactory(factory.django.DjangoModelFactory):
    """An adult learner with a verified-looking account and consent given.

    The answers to the funders' questions live apart (EntryAnswers): passing any of them, e.g.
    `LearnerFactory(rqth=True)`, also creates the learner's answers row with those given, the others unanswered.
    """

    user = factory.SubFactory(UserFactory)
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    birth_date = factory.LazyFunction(lambda: years_ago(20))
    postcode = "93300"
    commune = "Aubervilliers"
    qpv_residence = QpvResidence.NO
    diploma = Diploma.CAP_BEP
    situation = Situation.JOB_SEEKER_REGISTERED
    referrer = Referrer.MISSION_LOCALE
    consent_at = factory.LazyFunction(timezone.now)
    # The current notice: a learner who accepted an older one is first asked to accept it again.
    consent_version = factory.LazyFunction(lambda: settings.PRIVACY_NOTICE_VERSION)

    class Meta:
        model = Learner

    class Params:
        minor = factory.Trait(
            birth_date=factory.LazyFunction(lambda: years_ago(17)),
            guardian_name="Parent Exemple",
            guardian_email="parent@famille.example",
        )
        no_consent = factory.Trait(consent_at=None, consent_version="")
        # Every question answered, the funders' included (kept in EntryAnswers): what the funders count at entry.
        full_profile = factory.Trait(
            gender=Gender.FEMALE,
            qpv_residence=QpvResidence.YES,
            diploma=Diploma.NONE,
            situation=Situation.JOB_SEEKER_REGISTERED,
            job_seeking_duration=JobSeekingDuration.MORE_THAN_2_YEARS,
            rqth=True,
            nationality=Nationality.OTHER,
            foreign_background=YesNoUnsaid.YES,
            housing_exclusion=True,
            rural_area=True,
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        answers = {name: kwargs.pop(name) for name in ANSWER_NAMES if name in kwargs}
        learner = super()._create(model_class, *args, **kwargs)
        if answers:
            EntryAnswers.objects.create(learner=learner, answered_at=timezone.now(), **answers)
        return learner


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application, with the first line of its history, as submit_application writes it."""

    learner = factory.SubFactory(LearnerFactory)
    session = factory.SubFactory(SessionFactory)
    motivation = "Je veux travailler dans le numérique et j’aime comprendre comment marchent les choses."
    age_on_submission = factory.LazyAttribute(lambda application: application.learner.age())
    status = Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    # Built straight in a later status, the row carries the dates the transitions would have written.
    decided_at = factory.LazyAttribute(lambda a: a.submitted_at if a.status in DECIDED else None)
    waitlisted_at = factory.LazyAttribute(lambda a: a.submitted_at if a.status == Status.WAITLISTED else None)
    left_on = factory.LazyAttribute(lambda a: timezone.localdate() if a.status in LEFT_TRAINING else None)

    class Meta:
        model = Application

    @factory.post_generation
    def history(self, create, extracted, **kwargs):
        if create:
            StatusChange.objects.create(
                application=self,
                from_status="",
                to_status=Status.SUBMITTED,
                actor=self.learner.user,
                role=Role.LEARNER,
                created_at=self.submitted_at,
            )


def begin_session_by(session, day):
    """Move a session that has not begun by `day` to begin that day."""
    if session.start_date - datetime.timedelta(days=settings.TRAINING_START_TOLERANCE_DAYS) > day:
        Session.objects.filter(pk=session.pk).update(start_date=day)
        session.start_date = day


def _path(source, target):
    """Shortest chain of staff or system edges from one status to another."""
    queue, seen = deque([(source, [])]), {source}
    while queue:
        status, steps = queue.popleft()
        if status == target:
            return steps
        for edge in EDGES:
            if edge.source == status and edge.target not in seen and edge.roles & {Role.STAFF, Role.SYSTEM}:
                seen.add(edge.target)
                queue.append((edge.target, [*steps, edge]))
    raise ValueError(f"no path from {source} to {target}")


def move_to(application, target, *, actor=None, now=None):
    """Walk an application through the real pipeline up to `target` (comments filled where required), each step
    dated `now` (else today).

    A training starts only once its session has (TRAINING_START_TOLERANCE_DAYS): a session that has not begun by the
    day of the start is moved to begin that day, as its campus would have done."""
    for edge in _path(application.status, target):
        if edge.target == Status.IN_TRAINING:
            begin_session_by(application.session, timezone.localdate(now or timezone.now()))
        role = Role.STAFF if actor is not None and Role.STAFF in edge.roles else Role.SYSTEM
        change_status(
            application,
            edge.target,
            role=role,
            actor=actor if role == Role.STAFF else None,
            comment="Décision de test" if edge.comment_required else "",
            now=now,
        )
    return application


class FollowUpFactory(factory.django.DjangoModelFactory):
    application = factory.SubFactory(ApplicationFactory)
    milestone = FollowUpMilestone.EXIT
    placement = Placement.CDI
    employer = "Entreprise Exemple"
    job_title = "Technicien·ne support"

    class Meta:
        model = FollowUp


def learner_profile_data(**overrides):
    """What a young adult types in the profile step of applying (birth date as typed by hand: dd/mm/yyyy)."""
    data = {
        "first_name": "Awa",
        "last_name": "Diallo",
        "phone": "06 12 34 56 78",
        "birth_date": years_ago(20).strftime("%d/%m/%Y"),
        "diploma": Diploma.CAP_BEP,
        "situation": Situation.JOB_SEEKER_REGISTERED,
        "guardian_name": "",
        "guardian_email": "",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def entry_profile_data(prefix="", **overrides):
    """The profile facts asked before the training starts (the learner's page names them with a prefix)."""
    data = {
        "gender": "",
        "postcode": "93300",
        "commune": "Aubervilliers",
        "qpv_residence": QpvResidence.NO,
        "qpv": "",
        "job_seeking_duration": "moins_6_mois",
        "referrer": Referrer.MISSION_LOCALE,
        "referrer_detail": "",
    }
    data.update(overrides)
    return {f"{prefix}{key}": value for key, value in data.items() if value is not None}


def full_profile_data(**overrides):
    """The whole profile, as the learner edits it in her space."""
    entry = {key: overrides.pop(key) for key in list(overrides) if key in entry_profile_data()}
    return {**learner_profile_data(**overrides), **entry_profile_data(**entry)}


def paid_online(application, amount_cents=15000, intent="pi_test_a"):
    """A payment Stripe told us about: paid online, with its checkout session and payment intent."""
    return Payment.objects.create(
        application=application,
        amount_cents=amount_cents,
        fee_kind=application.session.fee_kind,
        method=PaymentMethod.STRIPE,
        status=PaymentStatus.PAID,
        paid_at=timezone.now(),
        stripe_checkout_session_id=f"cs_{intent}",
        stripe_payment_intent_id=intent,
    )
