"""The one place that puts a world of the reference into the database, for Tremplin to count.

The world is the truth: the rows are written as they are (stage reached, facts at entry, due dates, recorded
dates), in bulk, then the people who erased their account go through the product's own erasure.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from financeurs.models import Agreement, Funder, IndicatorTarget
from formations.models import Session
from inscriptions.models import ANSWER_NAMES, Application, EntryAnswers, FollowUp, Learner
from inscriptions.services import erase_learner
from inscriptions.workflow import DECIDED, Status
from tests.campus.factories import CampusPageFactory
from tests.financeurs.reference.cohorts import CAMPUSES, FORMATIONS, SESSIONS
from tests.formations.factories import FormationPageFactory, SessionFactory

# Room enough for every seat a world holds or gives back, so that no withdrawal finds a session overbooked.
CAPACITY, SEATS_TAKEN = 1000, 500
ANSWER_BOOLEANS = ("rqth", "housing_exclusion", "rural_area")


@dataclass
class Places:
    """The pages and sessions built once per test: {key: object}."""

    campuses: dict
    formations: dict
    sessions: dict
    funder: Funder


def build_places():
    campuses = {key: CampusPageFactory(title=f"Campus {key}") for key in CAMPUSES}
    formations = {key: FormationPageFactory(parent=campuses[campus]) for key, campus in FORMATIONS.items()}
    sessions = {
        key: SessionFactory(
            formation=formations[session.formation],
            start_date=session.start,
            end_date=session.end,
            application_deadline=session.start - datetime.timedelta(days=7),
            capacity=CAPACITY,
        )
        for key, session in SESSIONS.items()
    }
    Session.objects.filter(pk__in=[session.pk for session in sessions.values()]).update(seats_taken=SEATS_TAKEN)
    return Places(campuses, formations, sessions, Funder.objects.create(name="Financeur des tests de référence"))


def _aware(moment):
    return timezone.make_aware(moment)


def _application_row(application, learner, places):
    submitted_at = _aware(application.submitted_at)
    decided = application.status in DECIDED or (
        application.status == Status.WITHDRAWN and application.furthest_stage > 0
    )
    entry = application.entry
    row = Application(
        learner=learner,
        session=places.sessions[application.session],
        campus=places.campuses[application.copied_campus],
        status=application.status,
        motivation="Je veux apprendre un métier.",
        age_on_submission=application.age_on_submission,
        submitted_at=submitted_at,
        status_changed_at=submitted_at,
        decided_at=submitted_at + datetime.timedelta(days=2) if decided else None,
        waitlisted_at=submitted_at + datetime.timedelta(days=1) if application.status == Status.WAITLISTED else None,
        left_on=application.left_on,
        furthest_stage=application.furthest_stage,
        entry_recorded_at=_aware(application.entry_recorded_at) if application.entry_recorded_at else None,
    )
    if entry is not None:
        for name in vars(entry):
            setattr(row, f"entry_{name}", getattr(entry, name))
    return row


def write_world(world, places):
    """Write `world` and return its agreements as saved, in the world's order."""
    for key, session in world.sessions.items():
        if session.campus != SESSIONS[key].campus:
            # A session moved to another campus; its applications keep the campus copied before.
            Session.objects.filter(pk=places.sessions[key].pk).update(campus=places.campuses[session.campus])
    learners = Learner.objects.bulk_create(
        Learner(
            first_name=f"Prénom{person.key}",
            last_name=f"Nom{person.key}",
            postcode="93300",
            commune="Aubervilliers",
            **{name: value for name, value in vars(person.profile).items() if name not in ANSWER_NAMES},
        )
        for person in world.people
    )
    # The funders' questions live apart from the profile; a box left unticked is a question not answered.
    EntryAnswers.objects.bulk_create(
        EntryAnswers(
            learner=learner,
            answered_at=timezone.now(),
            **{name: getattr(person.profile, name) or None for name in ANSWER_BOOLEANS},
            **{name: getattr(person.profile, name) for name in set(ANSWER_NAMES) - set(ANSWER_BOOLEANS)},
        )
        for person, learner in zip(world.people, learners, strict=True)
        if any(getattr(person.profile, name) for name in ANSWER_NAMES)
    )
    rows = [
        (application, _application_row(application, learner, places))
        for person, learner in zip(world.people, learners, strict=True)
        for application in person.applications
    ]
    rows.sort(key=lambda pair: pair[0].order)
    saved = Application.objects.bulk_create([row for _application, row in rows])
    FollowUp.objects.bulk_create(
        FollowUp(
            application=row,
            milestone=item.milestone,
            placement=item.placement,
            source=item.source,
            recorded_at=_aware(datetime.datetime.combine(item.recorded_on, item.recorded_time)),
            due_on=item.due_on,
            start_date=item.start_date,
            signed_on=item.signed_on,
        )
        for (application, _row), row in zip(rows, saved, strict=True)
        for item in application.follow_ups
    )
    for person, learner in zip(world.people, learners, strict=True):
        if person.erased:
            erase_learner(learner)
    return [_agreement(agreement, index, places) for index, (agreement, _period) in enumerate(world.agreements)]


def _agreement(agreement, index, places):
    saved = Agreement.objects.create(
        funder=places.funder,
        reference=f"REF-{index}",
        title=f"Convention {agreement.kind}",
        start_date=agreement.start,
        end_date=agreement.end,
        amount=agreement.amount,
    )
    saved.campuses.set([places.campuses[key] for key in agreement.campuses])
    if agreement.formations:
        saved.formations.set([places.formations[key] for key in agreement.formations])
    if agreement.sessions:
        saved.sessions.set([places.sessions[key] for key in agreement.sessions])
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(agreement=saved, indicator=code, value=value) for code, value in agreement.targets.items()
    )
    return saved
