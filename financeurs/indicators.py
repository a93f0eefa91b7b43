"""The indicators of a funding agreement, each defined once, computed by the database in a few aggregate queries.

The registry below is the single definition: the funders' dashboard, the exports and docs/indicators.md read it.
Every indicator counts people, not applications: of a learner's applications in an agreement's scope, one
represents them (see `representatives`). A condition is a `Q` over those representative applications, with
three helper columns set by `_with_outcomes`: `exit_follow_up` and `six_month_follow_up` (the learner's
follow-ups at exit and at 6 months, or NULL) and `due_six_months` (left at least six months ago).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, Exists, ExpressionWrapper, F, FilteredRelation, OuterRef, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from financeurs.enums import IndicatorCode
from financeurs.models import Agreement
from formations.models import Session
from inscriptions.enums import (
    Diploma,
    FollowUpMilestone,
    Gender,
    JobSeekingDuration,
    Nationality,
    Placement,
    QpvResidence,
    Situation,
    YesNoUnsaid,
)
from inscriptions.models import Application, add_months
from inscriptions.workflow import HOLDS_SEAT, LEFT_TRAINING, Status

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

# Conditions over representative applications.
ALL = Q()
# Sorted, so that the SQL text, and the plan a database may cache for it, stay the same from one run to the next.
ADMITTED = Q(status__in=sorted(HOLDS_SEAT))
ENROLLED = Q(status__in=sorted(HOLDS_SEAT - {Status.ADMITTED}))
STARTED = Q(status__in=sorted(ENTERED))
LEFT = Q(status__in=sorted(LEFT_TRAINING))
EXIT_ANSWERED = Q(exit_follow_up__isnull=False)
SIX_MONTHS_DUE = Q(due_six_months=True) & LEFT
SIX_MONTHS_ANSWERED = Q(six_month_follow_up__isnull=False)
# Written in the order the rates combine them (numerator, then denominator), so that each is counted once.
EXIT_RESPONDENTS = EXIT_ANSWERED & LEFT
SIX_MONTHS_RESPONDENTS = SIX_MONTHS_ANSWERED & SIX_MONTHS_DUE
WOMEN = Q(learner__gender=Gender.FEMALE)
MEN = Q(learner__gender=Gender.MALE)
JOB_SEEKING = Q(learner__situation__in=Situation.job_seeking())
LONG_TERM_JOB_SEEKING = JOB_SEEKING & (
    Q(learner__job_seeking_duration__in=[JobSeekingDuration.ONE_TO_2_YEARS, JobSeekingDuration.MORE_THAN_2_YEARS])
    # The EU definition: six months are enough to be long-term unemployed before the age of 25.
    | Q(learner__job_seeking_duration=JobSeekingDuration.SIX_TO_12_MONTHS, age_on_submission__lt=25)
)


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

    @property
    def breakdown(self):
        if self.women is None and self.men is None:
            return {}
        return {"femmes": self.women, "hommes": self.men}

    @property
    def share(self):
        """The numerator as a percentage of the denominator (for counts shown as "12 (15 %)"), or None."""
        return _percent(self.numerator, self.denominator)


@dataclass
class Report:
    agreement: Agreement
    period: Period
    today: datetime.date
    indicators: list[IndicatorResult] = field(default_factory=list)
    esf: list[IndicatorResult] = field(default_factory=list)

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


def _rate(code, group, numerator, denominator):
    return Indicator(
        code=code,
        label=IndicatorCode(code).label,
        description=DESCRIPTIONS[code],
        unit=PERCENT,
        group=group,
        numerator=numerator,
        denominator=denominator,
        rate=True,
    )


DESCRIPTIONS = {
    IndicatorCode.APPLICANTS: _("Personnes qui ont envoyé au moins une candidature à une session de la convention."),
    IndicatorCode.ADMITTED: _("Personnes à qui le campus a donné une place, qu’elles l’aient confirmée ou non."),
    IndicatorCode.ENROLLED: _("Personnes admises qui ont confirmé leur place."),
    IndicatorCode.STARTED: _("Personnes qui ont commencé la formation, qu’elles l’aient finie ou non."),
    IndicatorCode.COMPLETED: _("Personnes allées au bout de la formation, certifiées ou non."),
    IndicatorCode.DROPPED_OUT: _("Personnes qui ont quitté la formation avant la fin, parmi les entrées."),
    IndicatorCode.CERTIFIED: _("Personnes qui ont obtenu la certification visée, parmi les entrées."),
    IndicatorCode.POSITIVE_EXIT: _(
        "Parmi les personnes sorties qui ont donné leur situation à la sortie, part en CDI, en CDD de 6 mois ou "
        "plus, en alternance, en formation qualifiante ou qui ont créé leur entreprise."
    ),
    IndicatorCode.POSITIVE_6_MONTHS: _(
        "La même part, six mois après la sortie, parmi les personnes sorties depuis au moins six mois qui ont répondu."
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
    _rate(IndicatorCode.POSITIVE_EXIT, "resultats", Q(exit_follow_up__placement__in=POSITIVE), EXIT_RESPONDENTS),
    _rate(
        IndicatorCode.POSITIVE_6_MONTHS,
        "resultats",
        Q(six_month_follow_up__placement__in=POSITIVE),
        SIX_MONTHS_RESPONDENTS,
    ),
    _rate(IndicatorCode.RESPONSE_RATE_EXIT, "resultats", EXIT_ANSWERED, LEFT),
    _rate(IndicatorCode.RESPONSE_RATE_6_MONTHS, "resultats", SIX_MONTHS_ANSWERED, SIX_MONTHS_DUE),
    _rate(IndicatorCode.WOMEN, "profil", WOMEN, STARTED),
    _rate(IndicatorCode.QPV, "profil", Q(learner__qpv_residence=QpvResidence.YES), STARTED),
    _rate(IndicatorCode.UNDER_26, "profil", Q(age_on_submission__lt=26), STARTED),
    _rate(IndicatorCode.NO_BACCALAUREATE, "profil", Q(learner__diploma__in=Diploma.below_baccalaureate()), STARTED),
    _rate(IndicatorCode.RQTH, "profil", Q(learner__rqth=True), STARTED),
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


def _esf(code, label, description, numerator, *, group="fse_output", not_collected_reason=None, fixed_value=None):
    return Indicator(
        code=code,
        label=label,
        description=description,
        unit=PEOPLE,
        group=group,
        # A result counts leavers or the certified, who all entered training: only outputs need saying so.
        numerator=numerator & STARTED if numerator is not None and group == "fse_output" else numerator,
        denominator=None if numerator is None else STARTED,
        not_collected_reason=not_collected_reason,
        fixed_value=fixed_value,
        by_gender=numerator is not None,
    )


NOT_ENTITIES = _(
    "Sans objet : les campus accompagnent des personnes, pas des administrations ni des entreprises. Déclaré à 0."
)

# The ESF+ common indicators for participants (Regulation (EU) 2021/1057, Annex I), over the people who entered
# training. Codes as the Commission's SFC2021 system knows them.
ESF_INDICATORS = [
    _esf("EECO01", _("Nombre total de participant·es"), _("Toutes les personnes entrées en formation."), STARTED),
    _esf(
        "EECO02",
        _("Chômeurs et chômeuses, y compris de longue durée"),
        _("Personnes qui cherchaient un emploi à l’entrée, inscrites ou non à France Travail."),
        JOB_SEEKING,
    ),
    _esf(
        "EECO03",
        _("Chômeurs et chômeuses de longue durée"),
        _(
            "Personnes qui cherchaient un emploi depuis au moins un an à l’entrée, ou depuis au moins six mois "
            "avant 25 ans."
        ),
        LONG_TERM_JOB_SEEKING,
    ),
    _esf(
        "EECO04",
        _("Personnes inactives"),
        _("Personnes ni en emploi ni au chômage à l’entrée : élèves, étudiant·es, ou qui ne cherchaient pas."),
        Q(learner__situation__in=[Situation.STUDENT, Situation.INACTIVE]),
    ),
    _esf(
        "EECO05",
        _("Personnes ayant un emploi, y compris les indépendant·es"),
        _("Personnes qui avaient un emploi à l’entrée."),
        Q(learner__situation=Situation.EMPLOYED),
    ),
    _esf(
        "EECO06",
        _("Enfants de moins de 18 ans"),
        _("Personnes qui avaient moins de 18 ans à la candidature."),
        Q(age_on_submission__lt=18),
    ),
    _esf(
        "EECO07",
        _("Jeunes de 18 à 29 ans"),
        _("Personnes qui avaient de 18 à 29 ans à la candidature."),
        Q(age_on_submission__gte=18, age_on_submission__lte=29),
    ),
    _esf(
        "EECO08",
        _("Participant·es de 55 ans et plus"),
        _("Personnes qui avaient 55 ans ou plus à la candidature."),
        Q(age_on_submission__gte=55),
    ),
    _esf(
        "EECO09",
        _("Niveau d’enseignement secondaire inférieur ou moins (CITE 0 à 2)"),
        _("Personnes sans diplôme ou avec le brevet des collèges."),
        Q(learner__diploma__in=[Diploma.NONE, Diploma.BREVET]),
    ),
    _esf(
        "EECO10",
        _("Deuxième cycle de l’enseignement secondaire ou post-secondaire non supérieur (CITE 3 et 4)"),
        _("Personnes dont le plus haut diplôme est un CAP, un BEP ou le baccalauréat."),
        Q(learner__diploma__in=[Diploma.CAP_BEP, Diploma.BAC]),
    ),
    _esf(
        "EECO11",
        _("Enseignement supérieur (CITE 5 à 8)"),
        _("Personnes qui ont au moins un bac + 2."),
        Q(learner__diploma__in=[Diploma.BAC_2, Diploma.BAC_3_PLUS]),
    ),
    _esf(
        "EECO12",
        _("Participant·es handicapé·es"),
        _("Personnes qui ont une reconnaissance de la qualité de travailleur handicapé (RQTH)."),
        Q(learner__rqth=True),
    ),
    _esf(
        "EECO13",
        _("Ressortissant·es de pays tiers"),
        _("Personnes d’une nationalité hors de l’Union européenne."),
        Q(learner__nationality=Nationality.OTHER),
    ),
    _esf(
        "EECO14",
        _("Participant·es d’origine étrangère"),
        _("Personnes dont au moins un parent est né à l’étranger."),
        Q(learner__foreign_background=YesNoUnsaid.YES),
    ),
    _esf(
        "EECO15",
        _("Minorités (y compris les communautés marginalisées telles que les Roms)"),
        _("Non collecté."),
        None,
        not_collected_reason=_(
            "Non collecté : la loi française ne permet pas de recueillir l’origine ethnique des personnes."
        ),
    ),
    _esf(
        "EECO16",
        _("Personnes sans domicile ou touchées par l’exclusion du logement"),
        _("Personnes qui ont dit être sans logement ou mal logées."),
        Q(learner__housing_exclusion=True),
    ),
    _esf(
        "EECO17",
        _("Participant·es issu·es de zones rurales"),
        _("Personnes qui ont dit habiter en zone rurale."),
        Q(learner__rural_area=True),
    ),
    _esf(
        "EECO18",
        _("Administrations ou services publics nationaux, régionaux ou locaux soutenus"),
        _("Sans objet."),
        None,
        not_collected_reason=NOT_ENTITIES,
        fixed_value=0,
    ),
    _esf(
        "EECO19",
        _("Micro, petites et moyennes entreprises soutenues (y compris coopératives et entreprises sociales)"),
        _("Sans objet."),
        None,
        not_collected_reason=NOT_ENTITIES,
        fixed_value=0,
    ),
    _esf(
        "EECR01",
        _("Participant·es à la recherche d’un emploi au terme de leur participation"),
        _("Personnes sorties qui cherchaient un emploi à la sortie, d’après le suivi de sortie."),
        Q(exit_follow_up__placement=Placement.JOB_SEEKING) & LEFT,
        group="fse_result",
    ),
    _esf(
        "EECR02",
        _("Participant·es suivant un enseignement ou une formation au terme de leur participation"),
        _("Personnes sorties en formation qualifiante ou en stage à la sortie (un stage n’est pas un emploi)."),
        Q(exit_follow_up__placement__in=EDUCATION_OR_TRAINING) & LEFT,
        group="fse_result",
    ),
    _esf(
        "EECR03",
        _("Participant·es obtenant une qualification au terme de leur participation"),
        _("Personnes qui ont obtenu la certification visée par la formation."),
        Q(status=Status.CERTIFIED),
        group="fse_result",
    ),
    _esf(
        "EECR04",
        _("Participant·es exerçant un emploi, y compris indépendant, au terme de leur participation"),
        _("Personnes sorties en CDI, CDD (court ou long), intérim, alternance ou création d’entreprise à la sortie."),
        Q(exit_follow_up__placement__in=EMPLOYMENT) & LEFT,
        group="fse_result",
    ),
    _esf(
        "EECR05",
        _("Participant·es exerçant un emploi, y compris indépendant, six mois après la fin de leur participation"),
        _("Les mêmes situations d’emploi, d’après le suivi à 6 mois."),
        Q(six_month_follow_up__placement__in=EMPLOYMENT) & LEFT,
        group="fse_result",
    ),
    _esf(
        "EECR06",
        _(
            "Participant·es dont la situation sur le marché du travail s’est améliorée six mois après leur "
            "participation"
        ),
        _(
            "Approximation de Tremplin : personnes qui avaient un emploi à l’entrée et sont en CDI ou en CDD de "
            "6 mois ou plus d’après le suivi à 6 mois."
        ),
        Q(six_month_follow_up__placement__in=STABLE_EMPLOYMENT, learner__situation=Situation.EMPLOYED) & LEFT,
        group="fse_result",
    ),
]


# --- Scope ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The sessions of an agreement that start within a period, and their campuses."""

    session_ids: list
    campus_ids: list

    @property
    def applications(self):
        # The campuses are implied by the sessions; naming them lets SQLite walk its campus index, which reads
        # the applications table in an order far kinder to its page cache than one session after the other.
        return Q(campus_id__in=self.campus_ids, session_id__in=self.session_ids)


def scopes(agreement, *periods):
    """For each period, the agreement's sessions that start within it, in one query.

    A session is the agreement's when it is at one of its campuses and, if the agreement lists formations,
    of one of them, and, if it lists sessions, one of them. Listing the ids first spares every later query a
    join to the campuses, formations and sessions of the agreement, and gives the database's planner a
    plain list to estimate.
    """
    campuses = Agreement.campuses.through.objects.filter(agreement_id=agreement.pk).values("campuspage_id")
    listed = {
        "formation_id": Agreement.formations.through.objects.filter(agreement_id=agreement.pk).values(
            "formationpage_id"
        ),
        "pk": Agreement.sessions.through.objects.filter(agreement_id=agreement.pk).values("session_id"),
    }
    sessions = Session.objects.filter(
        campus_id__in=campuses,
        start_date__gte=min(period.start for period in periods),
        start_date__lte=max(period.end for period in periods),
    )
    for field_name, chosen in listed.items():
        # Listing none means all of them.
        sessions = sessions.filter(Q(**{f"{field_name}__in": chosen}) | ~Exists(chosen))
    rows = list(sessions.values_list("pk", "campus_id", "start_date"))
    return [
        Scope(
            session_ids=[pk for pk, _, start in rows if period.start <= start <= period.end],
            campus_ids=sorted({campus for _, campus, start in rows if period.start <= start <= period.end}),
        )
        for period in periods
    ]


def representatives(scope):
    """The applications within `scope`, one per learner: the most recent one (by session start, then
    submission, then id) among those that entered training, or, when none did, the most recent one.

    A learner who left and came back is then counted once, by the training they last entered.
    """
    entered = models.Case(models.When(STARTED, then=Value(1)), default=Value(0))
    better = (
        # Not itself, tested first: most learners have one application, found without a look at its session.
        Application.objects.filter(~Q(pk=OuterRef("pk")), scope.applications, learner_id=OuterRef("learner_id"))
        .alias(rank_entered=entered, rank_start=F("session__start_date"))
        .filter(
            Q(rank_entered__gt=OuterRef("rank_entered"))
            | Q(rank_entered=OuterRef("rank_entered"))
            & (
                Q(rank_start__gt=OuterRef("rank_start"))
                | Q(rank_start=OuterRef("rank_start"))
                & (
                    Q(submitted_at__gt=OuterRef("submitted_at"))
                    | Q(submitted_at=OuterRef("submitted_at"), pk__gt=OuterRef("pk"))
                )
            )
        )
    )
    return (
        Application.objects.filter(scope.applications)
        .alias(rank_entered=entered, rank_start=F("session__start_date"))
        .filter(~Exists(better))
    )


def participants(agreement, period):
    """Every person in the agreement's scope and period, once: a queryset of their representative applications.

    Filter it on `status__in=ENTERED` for the participants in the ESF+ sense.
    """
    [scope] = scopes(agreement, period)
    return representatives(scope).order_by("pk")


def due_cutoff(today, months):
    """The last departure date whose follow-up at `months` is due by `today` (due on add_months(left_on, months)).

    At a month's end it is later than add_months(today, -months): someone who left on 31 March is due on
    30 September, and so is someone who left on the 30th.
    """
    cutoff = add_months(today, -months)
    while add_months(cutoff + datetime.timedelta(days=1), months) <= today:
        cutoff += datetime.timedelta(days=1)
    return cutoff


def _with_outcomes(applications, today):
    six_months_ago = due_cutoff(today, FollowUpMilestone.SIX_MONTHS)
    return applications.alias(
        exit_follow_up=FilteredRelation("follow_ups", condition=Q(follow_ups__milestone=FollowUpMilestone.EXIT)),
        six_month_follow_up=FilteredRelation(
            "follow_ups", condition=Q(follow_ups__milestone=FollowUpMilestone.SIX_MONTHS)
        ),
        due_six_months=ExpressionWrapper(Q(left_on__lte=six_months_ago), output_field=models.BooleanField()),
    )


# --- Computing --------------------------------------------------------------------------------------


def _counted(indicator):
    """The conditions an indicator counts: (numerator, denominator), a rate's numerator within its denominator."""
    if indicator.numerator is None:
        return None, None
    if indicator.rate:
        # The narrower condition first: the database stops at the first false one, and most rows fail it.
        return indicator.numerator & indicator.denominator, indicator.denominator
    return indicator.numerator, indicator.denominator


def _conditions(indicators):
    """Every distinct condition once, with its column name: many indicators share a denominator."""
    names = {}
    for indicator in indicators:
        for condition in _counted(indicator):
            if condition is not None and condition not in names:
                names[condition] = f"c{len(names)}"
    return names


@dataclass
class _Counts:
    """How many people meet each condition, in all and for each gender."""

    names: dict
    totals: dict
    by_gender: dict

    @classmethod
    def of(cls, people, indicators):
        """One aggregate query grouped by gender: as many rows as genders, whatever the number of people."""
        names = _conditions(indicators)
        rows = (
            people.order_by()
            .values("learner__gender")
            .annotate(**{name: _counter(condition) for condition, name in names.items()})
        )
        totals, by_gender = dict.fromkeys(names.values(), 0), {}
        for row in rows:
            by_gender[row.pop("learner__gender")] = row
            for name, count in row.items():
                totals[name] += count
        return cls(names, totals, by_gender)

    def __call__(self, condition, gender=None):
        name = self.names[condition]
        return self.totals[name] if gender is None else self.by_gender.get(gender, {}).get(name, 0)


def _counter(condition):
    # An empty condition (everybody) cannot be a FILTER clause.
    return Count("pk", filter=condition) if condition else Count("pk")


def _percent(numerator, denominator):
    if not denominator or numerator is None:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _target_met(value, target, higher_is_better):
    if value is None or target is None:
        return None
    return value >= target if higher_is_better else value <= target


def _result(counts, indicator, targets, *, value=None, numerator=None, denominator=None):
    women = men = None
    if indicator.numerator is not None:
        counted, among = _counted(indicator)
        numerator = counts(counted)
        denominator = counts(among) if among is not None else None
        value = _percent(numerator, denominator) if indicator.rate else numerator
        if indicator.by_gender:
            women, men = counts(counted, Gender.FEMALE), counts(counted, Gender.MALE)
    elif indicator.not_collected_reason:
        value = indicator.fixed_value
    target = targets.get(indicator.code)
    return IndicatorResult(
        code=indicator.code,
        label=str(indicator.label),
        description=str(indicator.description),
        unit=indicator.unit,
        value=value,
        numerator=numerator,
        denominator=denominator,
        target=target,
        target_met=_target_met(value, target, indicator.higher_is_better),
        higher_is_better=indicator.higher_is_better,
        group=indicator.group,
        not_collected_reason=str(indicator.not_collected_reason) if indicator.not_collected_reason else None,
        women=women,
        men=men,
    )


def compute(agreement, period, today=None):
    """The agreement's report over `period`: every indicator and its target, then the ESF+ indicators.

    Three or four queries whatever the number of people: the agreement's sessions, its targets, one aggregate
    over the representative applications (grouped by gender, for the ESF+ breakdown), and, when the period is
    not the agreement's, the people who entered over the whole agreement (for the cost).
    """
    today = today or timezone.localdate()
    whole = Period.of_agreement(agreement)
    scope, whole_scope = scopes(agreement, period, whole)
    targets = dict(agreement.targets.values_list("indicator", "value"))
    people = _with_outcomes(representatives(scope), today)
    counts = _Counts.of(people, [*INDICATORS, *ESF_INDICATORS])

    if period == whole:
        started_over_agreement = counts(STARTED)
    else:
        # Whoever entered once is represented by an application that entered: count the learners directly.
        started_over_agreement = Application.objects.filter(STARTED, whole_scope.applications).aggregate(
            people=Count("learner_id", distinct=True)
        )["people"]

    report = Report(agreement=agreement, period=period, today=today)
    for indicator in INDICATORS:
        if indicator.code == IndicatorCode.COST_PER_LEARNER:
            cost = None
            if started_over_agreement:
                cost = (Decimal(agreement.amount) / started_over_agreement).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            result = _result(counts, indicator, targets, value=cost, denominator=started_over_agreement)
        else:
            result = _result(counts, indicator, targets)
        report.indicators.append(result)
    report.esf = [_result(counts, indicator, targets) for indicator in ESF_INDICATORS]
    return report
