"""The world the reference reads: plain rows, with no database and no Django.

A world is what happened, told once: the sessions as they are today, the people and their applications
(each with the furthest stage it reached, its facts at entry and its follow-ups), the agreements. The
property test writes the same world into the database for Tremplin to count.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

# The statuses, as stored (inscriptions.workflow.Status values).
SUBMITTED = "submitted"
UNDER_REVIEW = "under_review"
ADMITTED = "admitted"
WAITLISTED = "waitlisted"
REFUSED = "refused"
WITHDRAWN = "withdrawn"
CLOSED = "closed"
ENROLLED = "enrolled"
IN_TRAINING = "in_training"
COMPLETED = "completed"
DROPPED_OUT = "dropped_out"
CERTIFIED = "certified"
NOT_CERTIFIED = "not_certified"

# The stages, from the least to the most advanced (docs/indicators.md, « Une personne compte une fois »).
APPLIED, GOT_A_SEAT, CONFIRMED, STARTED = 0, 1, 2, 3

# The moments of a follow-up, in months after leaving.
EXIT, SIX_MONTHS, TWELVE_MONTHS = 0, 6, 12


@dataclass(frozen=True)
class Session:
    key: str
    campus: str  # where it takes place today
    formation: str
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class EntryFacts:
    """The profile as it was the day the person entered training, recorded on the application."""

    gender: str = ""
    diploma: str = ""
    situation: str = ""
    job_seeking_duration: str = ""
    qpv_residence: str = ""
    nationality: str = ""
    foreign_background: str = ""
    rqth: bool = False
    housing_exclusion: bool = False
    rural_area: bool = False


@dataclass(frozen=True)
class FollowUp:
    milestone: int
    placement: str
    source: str
    recorded_on: datetime.date  # the local (French) day it was recorded
    recorded_time: datetime.time  # its local time: only the database needs it
    due_on: datetime.date
    start_date: datetime.date | None = None  # after recorded_on for a contract signed that starts later
    signed_on: datetime.date | None = None


@dataclass
class Application:
    session: str  # a Session.key
    status: str
    furthest_stage: int
    submitted_at: datetime.datetime  # local time, whole seconds
    age_on_submission: int | None
    left_on: datetime.date | None = None
    entry: EntryFacts | None = None  # None until the application reached STARTED
    entry_recorded_at: datetime.datetime | None = None
    follow_ups: list[FollowUp] = field(default_factory=list)
    copied_campus: str = ""  # the campus copied onto the application, maybe stale: nobody should read it
    order: int = 0  # the order it was recorded in (its primary key's order)


@dataclass
class Profile:
    """The person's profile today (what they may have edited since entering), with their answers to the funders'
    questions, which the product keeps apart (EntryAnswers)."""

    gender: str = ""
    diploma: str = "cap_bep"
    situation: str = "de_inscrit"
    job_seeking_duration: str = ""
    qpv_residence: str = "ne_sait_pas"
    nationality: str = ""
    foreign_background: str = ""
    rqth: bool = False
    housing_exclusion: bool = False
    rural_area: bool = False


@dataclass
class Person:
    key: int
    applications: list[Application]
    profile: Profile = field(default_factory=Profile)
    erased: bool = False


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date


@dataclass
class Agreement:
    kind: str  # "campus", "formations" or "sessions": which lists it fills
    campuses: frozenset
    formations: frozenset
    sessions: frozenset
    start: datetime.date
    end: datetime.date
    amount: Decimal
    targets: dict  # indicator code -> Decimal

    @property
    def whole_period(self):
        return Period(self.start, self.end)


@dataclass
class World:
    sessions: dict  # key -> Session
    people: list[Person]
    agreements: list[tuple[Agreement, Period]]
    today: datetime.date

    def applications(self):
        for person in self.people:
            for application in person.applications:
                yield person, application
