"""The indicators of a funding agreement, each defined once, computed by the database in a few aggregate queries.

The definitions below are the single definition: the funders' dashboard, the exports and docs/indicators.md read it.
Every indicator counts people, not applications: of a learner's applications in an agreement's scope, one
represents them (see `representatives`). A condition is a `Q` over those representative applications, with
helper columns set by `_with_outcomes`: `exit_follow_up` and `six_month_follow_up` (the learner's
follow-ups at exit and at 6 months, or NULL), `six_months_in_time` (that 6-month follow-up was recorded on or
after its due day) and `due_six_months` (left at least six months ago).

What the indicators read about a person "at entry" is the application's `entry_*` facts, recorded when the
training started and never changed since; the stages of the funnel are its `furthest_stage`, which nothing lowers.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from financeurs.enums import IndicatorCode
from financeurs.models import Agreement
from inscriptions.enums import (
    Diploma,
    Gender,
    JobSeekingDuration,
    Placement,
    QpvResidence,
    Situation,
)
from inscriptions.workflow import LEFT_TRAINING, Stage, Status

PEOPLE, PERCENT, EUROS = "personnes", "%", "€"

# Having entered training: a participant, in the ESF+ sense.
ENTERED = frozenset({Status.IN_TRAINING, *LEFT_TRAINING})
COMPLETED = frozenset({Status.COMPLETED, Status.CERTIFIED, Status.NOT_CERTIFIED})
EMPLOYMENT = [
    Placement.CDI,
    Placement.CDD_LONG,
    Placement.CDD_SHORT,
    Placement.INTERIM,
    Placement.ALTERNANCE,
    Placement.BUSINESS,
]
# An internship (stage) comes with a training agreement, never with an employment contract, in French law.
EDUCATION_OR_TRAINING = [Placement.TRAINING, Placement.INTERNSHIP]
STABLE_EMPLOYMENT = [Placement.CDI, Placement.CDD_LONG]

# "Situation inconnue" is a follow-up, not an answer: the person's situation is still not known.
KNOWN = sorted(placement for placement in Placement if placement != Placement.UNKNOWN)

# Conditions over representative applications.
ALL = Q()
# The funnel reads the furthest stage an application reached: a withdrawal or an erasure does not undo an admission.
ADMITTED = Q(furthest_stage__gte=Stage.ADMITTED)
ENROLLED = Q(furthest_stage__gte=Stage.ENROLLED)
STARTED = Q(furthest_stage__gte=Stage.STARTED)
# Sorted, so that the SQL text, and the plan a database may cache for it, stay the same from one run to the next.
LEFT = Q(status__in=sorted(LEFT_TRAINING))
EXIT_ANSWERED = Q(exit_follow_up__placement__in=KNOWN)
SIX_MONTHS_DUE = Q(due_six_months=True) & LEFT
# A 6-month follow-up taken early (the workflow allows 31 days) does not say the situation at six months.
SIX_MONTHS_ANSWERED = Q(six_month_follow_up__placement__in=KNOWN, six_months_in_time=True)
# Written in the order the rates combine them (numerator, then denominator), so that each is counted once.
EXIT_RESPONDENTS = EXIT_ANSWERED & LEFT
SIX_MONTHS_RESPONDENTS = SIX_MONTHS_ANSWERED & SIX_MONTHS_DUE
WOMEN = Q(entry_gender=Gender.FEMALE)
MEN = Q(entry_gender=Gender.MALE)
JOB_SEEKING = Q(entry_situation__in=Situation.job_seeking())
LONG_TERM_JOB_SEEKING = JOB_SEEKING & (
    Q(entry_job_seeking_duration__in=[JobSeekingDuration.ONE_TO_2_YEARS, JobSeekingDuration.MORE_THAN_2_YEARS])
    # The EU definition: six months are enough to be long-term unemployed before the age of 25.
    | Q(entry_job_seeking_duration=JobSeekingDuration.SIX_TO_12_MONTHS, age_on_submission__lt=25)
)
# No verdict on a target below this many people in a rate's base: 1 out of 2 is 50 %, and says nothing.
MIN_BASE_FOR_VERDICT = 10


@dataclass(frozen=True)
class Period:
    """Applications count in a period when their session starts within it, both ends included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def of_agreement(cls, agreement):
        return cls(start=agreement.start_date, end=agreement.end_date)


@dataclass(frozen=True)
class Indicator:
    """One indicator: who it counts (`numerator`) among whom (`denominator`), and how to read it.

    A count's value is its numerator; its denominator, when given, lets a page show the share beside it.
    A rate's value is 100 × numerator / denominator, the numerator counted within the denominator.
    """

    code: str
    label: str
    description: str
    unit: str
    group: str
    numerator: Q | None = None
    denominator: Q | None = None
    rate: bool = False
    higher_is_better: bool = True
    not_collected_reason: str | None = None
    # The value reported when nothing is counted: 0 for what does not apply, None for what is not collected.
    fixed_value: int | None = None
    # Broken down by gender (women, men), as ESF+ reports ask of their participant counts.
    by_gender: bool = False
    # A second reading of a rate: the same numerator over everyone it could have counted, respondents or not.
    denominator_over_all: Q | None = None


@dataclass
class IndicatorResult:
    code: str
    label: str
    description: str
    unit: str
    value: int | Decimal | None
    numerator: int | None
    denominator: int | None
    target: Decimal | None
    target_met: bool | None
    higher_is_better: bool
    group: str
    not_collected_reason: str | None = None
    women: int | None = None
    men: int | None = None
    value_over_all: Decimal | None = None
    denominator_over_all: int | None = None
    # Why no verdict is given on a target that exists, in words; empty when there is a verdict or no target.
    verdict_withheld: str = ""

    @property
    def share(self):
        """The numerator as a percentage of the denominator (for counts shown as "12 (15 %)"), or None."""
        return percent(self.numerator, self.denominator)


@dataclass
class Report:
    agreement: Agreement
    period: Period
    today: datetime.date
    indicators: list[IndicatorResult] = field(default_factory=list)
    esf: list[IndicatorResult] = field(default_factory=list)
    # Six months after the last session of the period ends: from then on, everyone's 6-month result is due.
    results_complete_on: datetime.date | None = None
    # People counted "en formation" although their session has ended: not yet counted as leavers.
    still_in_training_after_end: int = 0

    @property
    def results_complete(self):
        return self.results_complete_on is None or self.results_complete_on <= self.today

    @property
    def is_whole_agreement(self):
        return self.period == Period.of_agreement(self.agreement)

    def by_code(self, code):
        for result in (*self.indicators, *self.esf):
            if result.code == code:
                return result
        raise KeyError(code)


def _count(code, group, numerator, denominator=None, *, higher_is_better=True):
    return Indicator(
        code=code,
        label=IndicatorCode(code).label,
        description=DESCRIPTIONS[code],
        unit=PEOPLE,
        group=group,
        numerator=numerator,
        denominator=denominator,
        higher_is_better=higher_is_better,
    )


def _rate(code, group, numerator, denominator, *, over_all=None):
    return Indicator(
        code=code,
        label=IndicatorCode(code).label,
        description=DESCRIPTIONS[code],
        unit=PERCENT,
        group=group,
        numerator=numerator,
        denominator=denominator,
        rate=True,
        denominator_over_all=over_all,
    )


DESCRIPTIONS = {
    IndicatorCode.APPLICANTS: _("Personnes qui ont envoyé au moins une candidature à une session de la convention."),
    IndicatorCode.ADMITTED: _(
        "Personnes qui ont reçu une place, qu’elles l’aient ensuite confirmée, gardée ou non (retrait, compte "
        "supprimé)."
    ),
    IndicatorCode.ENROLLED: _(
        "Personnes qui ont confirmé leur place, qu’elles soient ensuite entrées en formation ou non."
    ),
    IndicatorCode.STARTED: _("Personnes qui ont commencé la formation, qu’elles l’aient finie ou non."),
    IndicatorCode.COMPLETED: _("Personnes allées au bout de la formation, certifiées ou non."),
    IndicatorCode.DROPPED_OUT: _("Personnes qui ont quitté la formation avant la fin, parmi les entrées."),
    IndicatorCode.CERTIFIED: _("Personnes qui ont obtenu la certification visée, parmi les entrées."),
    IndicatorCode.ATTENDANCE_RATE: _(
        "Parmi les personnes entrées en formation, les heures où elles étaient présentes, divisées par ces heures "
        "plus celles d’absence non justifiée, d’après les feuilles de présence. Les absences justifiées ne comptent "
        "pas."
    ),
    IndicatorCode.POSITIVE_EXIT: _(
        "Parmi les personnes sorties dont on connaît la situation à la sortie, part en CDI, en CDD de 6 mois ou "
        "plus, en alternance, en formation qualifiante ou qui ont créé leur entreprise ; puis la même part parmi "
        "toutes les personnes sorties."
    ),
    IndicatorCode.POSITIVE_6_MONTHS: _(
        "La même part, six mois après la sortie, parmi les personnes sorties depuis au moins six mois dont on "
        "connaît la situation à 6 mois ; puis parmi toutes les personnes sorties depuis au moins six mois."
    ),
    IndicatorCode.RESPONSE_RATE_EXIT: _("Part des personnes sorties dont on connaît la situation à la sortie."),
    IndicatorCode.RESPONSE_RATE_6_MONTHS: _(
        "Part des personnes sorties depuis au moins six mois dont on connaît la situation à 6 mois."
    ),
    IndicatorCode.WOMEN: _("Part de femmes parmi les personnes entrées en formation."),
    IndicatorCode.QPV: _(
        "Part des personnes entrées en formation qui disent habiter un quartier prioritaire de la politique de la "
        "ville."
    ),
    IndicatorCode.UNDER_26: _("Part des personnes entrées en formation qui avaient moins de 26 ans à la candidature."),
    IndicatorCode.NO_BACCALAUREATE: _(
        "Part des personnes entrées en formation sans le baccalauréat (aucun diplôme, brevet, CAP ou BEP)."
    ),
    IndicatorCode.RQTH: _(
        "Part des personnes entrées en formation avec une reconnaissance de la qualité de travailleur handicapé."
    ),
    IndicatorCode.COST_PER_LEARNER: _(
        "Montant de la convention divisé par le nombre de personnes entrées en formation sur toute sa durée, "
        "quelle que soit la période affichée."
    ),
}

POSITIVE = Placement.positive()

INDICATORS = [
    _count(IndicatorCode.APPLICANTS, "parcours", ALL),
    _count(IndicatorCode.ADMITTED, "parcours", ADMITTED, ALL),
    _count(IndicatorCode.ENROLLED, "parcours", ENROLLED, ADMITTED),
    _count(IndicatorCode.STARTED, "parcours", STARTED, ENROLLED),
    _count(IndicatorCode.COMPLETED, "parcours", Q(status__in=sorted(COMPLETED)), STARTED),
    _count(IndicatorCode.DROPPED_OUT, "parcours", Q(status=Status.DROPPED_OUT), STARTED, higher_is_better=False),
    _count(IndicatorCode.CERTIFIED, "parcours", Q(status=Status.CERTIFIED), STARTED),
    # Computed apart (see compute): a quotient of hours, not of people.
    Indicator(
        code=IndicatorCode.ATTENDANCE_RATE,
        label=IndicatorCode.ATTENDANCE_RATE.label,
        description=DESCRIPTIONS[IndicatorCode.ATTENDANCE_RATE],
        unit=PERCENT,
        group="parcours",
    ),
    _rate(
        IndicatorCode.POSITIVE_EXIT,
        "resultats",
        Q(exit_follow_up__placement__in=POSITIVE),
        EXIT_RESPONDENTS,
        over_all=LEFT,
    ),
    _rate(
        IndicatorCode.POSITIVE_6_MONTHS,
        "resultats",
        Q(six_month_follow_up__placement__in=POSITIVE, six_months_in_time=True),
        SIX_MONTHS_RESPONDENTS,
        over_all=SIX_MONTHS_DUE,
    ),
    _rate(IndicatorCode.RESPONSE_RATE_EXIT, "resultats", EXIT_ANSWERED, LEFT),
    _rate(IndicatorCode.RESPONSE_RATE_6_MONTHS, "resultats", SIX_MONTHS_ANSWERED, SIX_MONTHS_DUE),
    _rate(IndicatorCode.WOMEN, "profil", WOMEN, STARTED),
    _rate(IndicatorCode.QPV, "profil", Q(entry_qpv_residence=QpvResidence.YES), STARTED),
    _rate(IndicatorCode.UNDER_26, "profil", Q(age_on_submission__lt=26), STARTED),
    _rate(IndicatorCode.NO_BACCALAUREATE, "profil", Q(entry_diploma__in=Diploma.below_baccalaureate()), STARTED),
    _rate(IndicatorCode.RQTH, "profil", Q(entry_rqth=True), STARTED),
    # Computed apart (see compute): a quotient of money by people over the agreement's whole period.
    Indicator(
        code=IndicatorCode.COST_PER_LEARNER,
        label=IndicatorCode.COST_PER_LEARNER.label,
        description=DESCRIPTIONS[IndicatorCode.COST_PER_LEARNER],
        unit=EUROS,
        group="cout",
        higher_is_better=False,
    ),
]


def percent(numerator, denominator):
    if not denominator or numerator is None:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
