"""Computing an agreement's indicators: its scope, its representative applications, a few aggregate queries."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, Exists, ExpressionWrapper, F, FilteredRelation, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from financeurs.enums import IndicatorCode
from financeurs.indicators.definitions import (
    INDICATORS,
    MIN_BASE_FOR_VERDICT,
    STARTED,
    IndicatorResult,
    Period,
    Report,
    percent,
)
from financeurs.indicators.esf import ESF_INDICATORS
from financeurs.models import Agreement
from formations.models import Session
from inscriptions.enums import (
    FollowUpMilestone,
    Gender,
)
from inscriptions.models import Application, Attendance, add_months
from inscriptions.services.attendance import attendance_rate, hours_by_status
from inscriptions.workflow import Status

# --- Scope ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The sessions of an agreement that start within a period, and the last day one of them ends."""

    session_ids: list
    last_end: datetime.date | None = None

    @property
    def applications(self):
        # By the session alone: the campus copied onto an application is a convenience for staff lists, and the
        # published rule is the session's campus.
        return Q(session_id__in=self.session_ids)


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
    rows = list(sessions.values_list("pk", "start_date", "end_date"))
    scopes = []
    for period in periods:
        within = [(pk, end) for pk, start, end in rows if period.start <= start <= period.end]
        scopes.append(
            Scope(session_ids=[pk for pk, _ in within], last_end=max((end for _, end in within), default=None))
        )
    return scopes


def representatives(scope):
    """The applications within `scope`, one per learner: the one that went furthest (its furthest stage), and
    among those the most recent one (by session start, then submission, then id).

    A learner who left and came back is then counted once, by the training they last entered; one who was
    admitted and later withdrew another application, by the admission.
    """
    better = (
        # Not itself, tested first: most learners have one application, found without a look at its session.
        Application.objects.filter(~Q(pk=OuterRef("pk")), scope.applications, learner_id=OuterRef("learner_id"))
        .alias(rank_start=F("session__start_date"))
        .filter(
            Q(furthest_stage__gt=OuterRef("furthest_stage"))
            | Q(furthest_stage=OuterRef("furthest_stage"))
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
        .alias(rank_start=F("session__start_date"))
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
        six_months_in_time=ExpressionWrapper(
            Q(six_month_follow_up__recorded_at__date__gte=F("six_month_follow_up__due_on")),
            output_field=models.BooleanField(),
        ),
        ended_in_training=ExpressionWrapper(
            Q(status=Status.IN_TRAINING, session__end_date__lt=today), output_field=models.BooleanField()
        ),
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


# Counted beside the indicators, for the report to say who is not yet counted as a leaver.
ENDED_IN_TRAINING = Q(ended_in_training=True)


def _conditions(indicators):
    """Every distinct condition once, with its column name: many indicators share a denominator."""
    names = {}
    for indicator in indicators:
        for condition in (*_counted(indicator), indicator.denominator_over_all, ENDED_IN_TRAINING):
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
            .values("entry_gender")
            .annotate(**{name: _counter(condition) for condition, name in names.items()})
        )
        totals, by_gender = dict.fromkeys(names.values(), 0), {}
        for row in rows:
            by_gender[row.pop("entry_gender")] = row
            for name, count in row.items():
                totals[name] += count
        return cls(names, totals, by_gender)

    def __call__(self, condition, gender=None):
        name = self.names[condition]
        return self.totals[name] if gender is None else self.by_gender.get(gender, {}).get(name, 0)


def _counter(condition):
    # An empty condition (everybody) cannot be a FILTER clause.
    return Count("pk", filter=condition) if condition else Count("pk")


def _verdict(indicator, value, denominator, target, whole_agreement):
    """(target met?, why no verdict): True or False only where the figure can bear one."""
    if target is None or value is None:
        return None, ""
    if not whole_agreement:
        return None, _("Objectif fixé pour toute la convention : choisissez toute sa période pour conclure.")
    if indicator.rate and (denominator or 0) < MIN_BASE_FOR_VERDICT:
        return None, _("Trop peu de personnes pour conclure.")
    return (value >= target if indicator.higher_is_better else value <= target), ""


def _result(counts, indicator, targets, whole_agreement, *, value=None, numerator=None, denominator=None):
    women = men = value_over_all = denominator_over_all = None
    if indicator.numerator is not None:
        counted, among = _counted(indicator)
        numerator = counts(counted)
        denominator = counts(among) if among is not None else None
        value = percent(numerator, denominator) if indicator.rate else numerator
        if indicator.by_gender:
            women, men = counts(counted, Gender.FEMALE), counts(counted, Gender.MALE)
        if indicator.denominator_over_all is not None:
            denominator_over_all = counts(indicator.denominator_over_all)
            value_over_all = percent(numerator, denominator_over_all)
    elif indicator.not_collected_reason:
        value = indicator.fixed_value
    target = targets.get(indicator.code)
    target_met, verdict_withheld = _verdict(indicator, value, denominator, target, whole_agreement)
    return IndicatorResult(
        code=indicator.code,
        label=str(indicator.label),
        description=str(indicator.description),
        unit=indicator.unit,
        value=value,
        numerator=numerator,
        denominator=denominator,
        target=target,
        target_met=target_met,
        verdict_withheld=str(verdict_withheld),
        higher_is_better=indicator.higher_is_better,
        group=indicator.group,
        not_collected_reason=str(indicator.not_collected_reason) if indicator.not_collected_reason else None,
        women=women,
        men=men,
        value_over_all=value_over_all,
        denominator_over_all=denominator_over_all,
    )


def _attendance_rate(people):
    """Hours present over hours present or absent without excuse, on the sheets of the participants' representative
    applications (inscriptions.services.attendance defines the rate). One query."""
    hours = Attendance.objects.filter(application__in=people.filter(STARTED).values("pk")).aggregate(
        **hours_by_status()
    )
    return attendance_rate(hours["present_hours"], hours["absent_hours"])


def compute(agreement, period, today=None):
    """The agreement's report over `period`: every indicator and its target, then the ESF+ indicators.

    Four or five queries whatever the number of people: the agreement's sessions, its targets, one aggregate
    over the representative applications (grouped by gender, for the ESF+ breakdown), and, when the period is
    not the agreement's, the people who entered over the whole agreement (for the cost), and the hours on the
    participants' attendance sheets.
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

    report = Report(
        agreement=agreement,
        period=period,
        today=today,
        results_complete_on=add_months(scope.last_end, FollowUpMilestone.SIX_MONTHS) if scope.last_end else None,
        still_in_training_after_end=counts(ENDED_IN_TRAINING),
    )
    whole_agreement = period == whole
    for indicator in INDICATORS:
        if indicator.code == IndicatorCode.ATTENDANCE_RATE:
            result = _result(counts, indicator, targets, whole_agreement, value=_attendance_rate(people))
        elif indicator.code == IndicatorCode.COST_PER_LEARNER:
            cost = None
            if started_over_agreement:
                cost = (Decimal(agreement.amount) / started_over_agreement).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            result = _result(
                counts, indicator, targets, whole_agreement, value=cost, denominator=started_over_agreement
            )
        else:
            result = _result(counts, indicator, targets, whole_agreement)
        report.indicators.append(result)
    report.esf = [_result(counts, indicator, targets, whole_agreement) for indicator in ESF_INDICATORS]
    return report
