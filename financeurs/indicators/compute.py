"""Computing an agreement's indicators: its scope, its representative applications, a few aggregate queries."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, Exists, ExpressionWrapper, F, FilteredRelation, OuterRef, Q, Value
from django.utils import timezone

from financeurs.enums import IndicatorCode
from financeurs.indicators.definitions import INDICATORS, STARTED, IndicatorResult, Period, Report, percent
from financeurs.indicators.esf import ESF_INDICATORS
from financeurs.models import Agreement
from formations.models import Session
from inscriptions.enums import (
    FollowUpMilestone,
    Gender,
)
from inscriptions.models import Application, add_months

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
        value = percent(numerator, denominator) if indicator.rate else numerator
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
