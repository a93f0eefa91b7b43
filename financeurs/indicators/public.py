"""What became of those who did a formation, as published on its page: the funders' 6-month result, in counts.

The same definition as the dashboard's `sorties_positives_6_mois` (docs/indicators.md, « Résultats publiés sur
la page d'une formation »): its people are those of an agreement that would list only this formation (every
one of its sessions), each counted once by the application that represents them, and its three counts are the
conditions of that indicator, read from INDICATORS. Only the window is the page's own: the leavers due at
6 months who left within the 24 months before the last due departure day, so that the figure stays recent.

Published to anyone: aggregated counts only, and nothing below PUBLIC_MIN_LEAVERS people.
"""

import datetime
import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from financeurs.enums import IndicatorCode
from financeurs.indicators.compute import Scope, _counted, _with_outcomes, due_cutoff, representatives
from financeurs.indicators.definitions import INDICATORS, LEFT
from formations.models import Session
from formations.sections import PageSection
from inscriptions.enums import FollowUpMilestone
from inscriptions.models import add_months

# Below this many leavers due, nothing is published: a handful of people could be recognised in the figure.
PUBLIC_MIN_LEAVERS = 10
# How far back the published leavers go, from the last departure day whose 6-month follow-up is due.
WINDOW_MONTHS = 24

_SIX_MONTHS = next(indicator for indicator in INDICATORS if indicator.code == IndicatorCode.POSITIVE_6_MONTHS)
# The indicator's own conditions: positive at 6 months (counted among the respondents), the respondents, and
# everyone due (its second reading's base).
POSITIVE, ANSWERED = _counted(_SIX_MONTHS)
DUE = _SIX_MONTHS.denominator_over_all


@dataclass(frozen=True)
class FormationOutcomes:
    """Counts of people: the leavers due at 6 months in the window, those whose 6-month situation is known, and
    those of them in a positive situation at 6 months."""

    leavers_due: int
    answered: int
    positive: int
    # The window's first and last departure days, both included.
    left_from: datetime.date
    left_until: datetime.date

    @property
    def published(self):
        return self.leavers_due >= PUBLIC_MIN_LEAVERS


def window(today):
    """(first, last) departure day counted on `today`: the last one whose 6-month follow-up is due, and the same
    day 24 months earlier (the last day of the month when that month is shorter)."""
    last = due_cutoff(today, FollowUpMilestone.SIX_MONTHS)
    return add_months(last, -WINDOW_MONTHS), last


def formation_counts(formation, today=None):
    """The formation's FormationOutcomes, whatever their size (not for publication: see `formation_outcomes`).

    One query, whatever the number of applications: the formation's sessions are a subquery. Its SQL is the
    ORM's, built once a day (`_counts_statement`) and run with the formation's id.
    """
    today = today or timezone.localdate()
    left_from, left_until = window(today)
    sql, params = _counts_statement(today, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [formation.pk if value == _ANY_FORMATION else value for value in params])
        leavers_due, answered, positive = cursor.fetchone()
    return FormationOutcomes(
        leavers_due=leavers_due,
        answered=answered,
        positive=positive,
        left_from=left_from,
        left_until=left_until,
    )


def _counts(formation_id, today):
    """formation_counts' query, as the ORM runs it: {leavers_due, answered, positive}."""
    left_from, left_until = window(today)
    scope = Scope(session_ids=Session.objects.filter(formation_id=formation_id).values("pk"))
    # The window and LEFT, already in DUE, are also asked of the rows read: the database then reads only the
    # leavers of the window (most applications are not), and looks for a better application only for them.
    people = _with_outcomes(representatives(scope), today).filter(
        LEFT, left_on__gte=left_from, left_on__lte=left_until
    )
    return people.aggregate(
        leavers_due=Count("pk", filter=DUE),
        answered=Count("pk", filter=ANSWERED),
        positive=Count("pk", filter=POSITIVE),
    )


# An id no formation has: the SQL built once a day holds it where each formation page puts its own.
_ANY_FORMATION = -7_301_729


class _Built(Exception):
    pass


@functools.lru_cache(maxsize=4)
def _counts_statement(today, vendor):
    """The SQL and parameters of `_counts` on `today`, for any formation: the ORM takes four times longer to
    build this query (representatives, the follow-ups' relations) than the database to answer it. Built without
    being run: the database sees one query per page."""
    built = []

    def keep(execute, sql, params, many, context):
        built.append((sql, tuple(params)))
        raise _Built

    try:
        with connection.execute_wrapper(keep):
            _counts(_ANY_FORMATION, today)
    except _Built:
        pass
    [(sql, params)] = built
    if _ANY_FORMATION not in params:
        raise RuntimeError("La requête des résultats publiés ne dépend plus de la formation.")
    return sql, params


def formation_outcomes(formation, today=None):
    """What the formation's page publishes on `today`: its FormationOutcomes, or None below PUBLIC_MIN_LEAVERS.

    The figure changes when a follow-up or an application of the formation changes (status, departure day),
    when a session moves to another formation, and from one day to the next (the window moves). The public pages'
    cache keys on the day but is not dropped by follow-ups: a new one shows within PUBLIC_PAGE_CACHE_SECONDS.
    """
    counts = formation_counts(formation, today)
    return counts if counts.published else None


# --- On the formation page (registered in FinanceursConfig.ready) ----------------------------------

# The bar's length in SVG user units; CSS stretches it to the width of the page.
BAR_WIDTH = 300


def outcomes_section(formation, today):
    """The formation page's section: the sentence and its bar when published, else why not yet."""
    outcomes = formation_outcomes(formation, today)
    context = {"outcomes": outcomes, "minimum": PUBLIC_MIN_LEAVERS}
    if outcomes is not None:
        other = outcomes.answered - outcomes.positive
        context |= {
            "other": other,
            "unanswered": outcomes.leavers_due - outcomes.answered,
            "bar_width": BAR_WIDTH,
            "positive_width": _length(outcomes.positive, outcomes.leavers_due),
            "other_width": _length(other, outcomes.leavers_due),
        }
    return PageSection("financeurs/includes/formation_outcomes.html", context)


def _length(count, total):
    return round(BAR_WIDTH * count / total, 2)
