"""Random worlds for the property test: the places are fixed, everything else is drawn.

Three campuses, four formations and seven sessions are built once (pages are slow to build); an example may
move a session to another campus. People have one to three applications — returns after a drop-out, two
campuses, withdrawals after admission, seats released for non-payment, minors, no gender given — with
follow-ups at exit, 6 and 12 months from the staff, an import or the survey, some recorded early, some
« Situation inconnue »; some people erase their account. One agreement of any of the three kinds (campuses
only, with formations, with sessions) with targets, read over its whole period or a period cut anywhere, on
any day. (One agreement per world keeps a hundred worlds within a few seconds; the kinds take turns.)
"""

import datetime
from decimal import Decimal

from hypothesis import strategies as st

from tests.financeurs.reference import rows
from tests.financeurs.reference.readings import add_months

CAMPUSES = ("A", "B", "C")
FORMATIONS = {"F1": "A", "F2": "A", "F3": "B", "F4": "C"}
D = datetime.date
# Every session starts in the past, so that a seat given back never promotes anyone from the waitlist.
SESSIONS = {
    session.key: session
    for session in [
        # Ends on 31 March: its leavers are due at 6 months on 30 September.
        rows.Session("S1", "A", "F1", D(2025, 1, 6), D(2025, 3, 31)),
        # S2 and S3 start the same day: the tie-break goes to the application sent last.
        rows.Session("S2", "A", "F1", D(2025, 9, 1), D(2025, 12, 19)),
        rows.Session("S3", "A", "F2", D(2025, 9, 1), D(2026, 2, 27)),
        rows.Session("S4", "B", "F3", D(2025, 3, 3), D(2025, 6, 30)),
        rows.Session("S5", "B", "F3", D(2026, 1, 5), D(2026, 5, 29)),
        rows.Session("S6", "C", "F4", D(2025, 6, 30), D(2025, 10, 31)),
        rows.Session("S7", "B", "F3", D(2024, 9, 2), D(2025, 1, 31)),
    ]
}

S = rows
# The furthest stage each status can be reached with, through the product's transitions: a waitlisted
# or refused application may have held a seat released for non-payment; a withdrawn one may have been
# admitted or enrolled.
STAGES = {
    S.SUBMITTED: [S.APPLIED],
    S.UNDER_REVIEW: [S.APPLIED],
    S.CLOSED: [S.APPLIED],
    S.WAITLISTED: [S.APPLIED, S.GOT_A_SEAT],
    S.REFUSED: [S.APPLIED, S.GOT_A_SEAT],
    S.WITHDRAWN: [S.APPLIED, S.GOT_A_SEAT, S.CONFIRMED],
    S.ADMITTED: [S.GOT_A_SEAT],
    S.ENROLLED: [S.CONFIRMED],
    S.IN_TRAINING: [S.STARTED],
    S.COMPLETED: [S.STARTED],
    S.DROPPED_OUT: [S.STARTED],
    S.CERTIFIED: [S.STARTED],
    S.NOT_CERTIFIED: [S.STARTED],
}
# Weighted towards those who entered training: they carry most of the figures.
STATUSES = [
    S.COMPLETED,
    S.CERTIFIED,
    S.DROPPED_OUT,
    S.IN_TRAINING,
    S.NOT_CERTIFIED,
    S.WITHDRAWN,
    S.ADMITTED,
    S.ENROLLED,
    S.WAITLISTED,
    S.REFUSED,
    S.SUBMITTED,
    S.UNDER_REVIEW,
    S.CLOSED,
    S.COMPLETED,
    S.CERTIFIED,
    S.DROPPED_OUT,
]
INACTIVE = [S.WITHDRAWN, S.REFUSED, S.CLOSED]
LEFT = {S.COMPLETED, S.DROPPED_OUT, S.CERTIFIED, S.NOT_CERTIFIED}
PLACEMENTS = [
    "cdi",
    "inconnu",
    "cdd_6_mois_plus",
    "recherche_emploi",
    "alternance",
    "formation_qualifiante",
    "creation_entreprise",
    "cdd_moins_6_mois",
    "interim",
    "stage",
]
SOURCES = ["equipe", "questionnaire", "import"]
CONTRACTS = {"cdi", "cdd_6_mois_plus", "cdd_moins_6_mois", "alternance", "interim"}
# A situation's start, from the day the follow-up was recorded: before, or later for a contract already signed.
STARTS = [None, -10, 0, 25]
# Ages at the edges of every band the figures use (18, 25/26, 29/30, 55), and an unknown one.
AGES = [20, 17, 16, 18, 24, 25, 26, 29, 30, 54, 55, 62, None]
# Recorded this many days from the day the follow-up is due: up to 31 days early, or late.
OFFSETS = [0, -1, 1, -31, -10, 20, 90]
# Local times: half past midnight in France is still the day before in UTC.
TIMES = [datetime.time(10, 0), datetime.time(0, 30), datetime.time(23, 30)]

COUNTS = ["candidats", "admis", "inscrits", "entres", "termines", "abandons", "certifies"]
RATES = [
    "sorties_positives",
    "sorties_positives_6_mois",
    "taux_reponse_sortie",
    "taux_reponse_6_mois",
    "part_femmes",
    "part_qpv",
    "part_moins_26_ans",
    "part_sans_bac",
    "part_rqth",
]
TARGETS = {
    **{code: [0, 1, 2, 3, 5, 8, 12] for code in COUNTS},
    **{code: [0, 50, 33.3, 66.7, 100, 25, 75] for code in RATES},
    "cout_par_personne": [0, 5000, 40000, 120000, 1000000],
}

entry_facts = st.builds(
    rows.EntryFacts,
    gender=st.sampled_from(["femme", "homme", "autre", ""]),
    diploma=st.sampled_from(["cap_bep", "aucun", "brevet", "bac", "bac_2", "bac_3"]),
    situation=st.sampled_from(["de_inscrit", "de_non_inscrit", "etudiant", "salarie", "ni_emploi_ni_formation"]),
    job_seeking_duration=st.sampled_from(["", "moins_6_mois", "6_12_mois", "1_2_ans", "plus_2_ans"]),
    qpv_residence=st.sampled_from(["non", "oui", "ne_sait_pas"]),
    nationality=st.sampled_from(["", "francaise", "ue", "hors_ue"]),
    foreign_background=st.sampled_from(["", "oui", "non"]),
    rqth=st.booleans(),
    housing_exclusion=st.booleans(),
    rural_area=st.booleans(),
)


def _profile(facts):
    """The profile today, edited since entry or not."""
    return rows.Profile(**{name: getattr(facts, name) for name in rows.Profile.__dataclass_fields__})


@st.composite
def follow_ups(draw, left_on):
    found = []
    for milestone in (rows.EXIT, rows.SIX_MONTHS, rows.TWELVE_MONTHS):
        if not draw(st.sampled_from([True, True, False])):
            continue
        due_on = add_months(left_on, milestone)
        placement = draw(st.sampled_from(PLACEMENTS))
        recorded_on = due_on + datetime.timedelta(days=draw(st.sampled_from(OFFSETS)))
        start = draw(st.sampled_from(STARTS))
        if start is not None and start > 0 and placement not in CONTRACTS:
            start = None
        start_date = recorded_on + datetime.timedelta(days=start) if start is not None else None
        found.append(
            rows.FollowUp(
                milestone=milestone,
                placement=placement,
                source=draw(st.sampled_from(SOURCES)),
                recorded_on=recorded_on,
                recorded_time=draw(st.sampled_from(TIMES)),
                due_on=due_on,
                start_date=start_date,
                # A contract that starts after the day it was recorded was signed before that day.
                signed_on=recorded_on - datetime.timedelta(days=3) if start is not None and start > 0 else None,
            )
        )
    return found


@st.composite
def application(draw, session_key, age, inactive_only):
    session = SESSIONS[session_key]
    status = draw(st.sampled_from(INACTIVE if inactive_only else STATUSES))
    stage = draw(st.sampled_from(STAGES[status]))
    submitted_at = datetime.datetime.combine(
        session.start - datetime.timedelta(days=draw(st.sampled_from([21, 7, 45]))), datetime.time(10, 0)
    )
    left_on = None
    if status in LEFT:
        halfway = session.start + (session.end - session.start) // 2
        choices = [halfway, session.start] if status == S.DROPPED_OUT else [session.end, halfway]
        left_on = draw(st.sampled_from([*choices, session.end + datetime.timedelta(days=1)]))
    entry = draw(entry_facts) if stage == S.STARTED else None
    return rows.Application(
        session=session_key,
        status=status,
        furthest_stage=stage,
        submitted_at=submitted_at,
        age_on_submission=age,
        left_on=left_on,
        entry=entry,
        entry_recorded_at=datetime.datetime.combine(session.start, datetime.time(9, 0)) if entry else None,
        follow_ups=draw(follow_ups(left_on)) if left_on else [],
        copied_campus=draw(st.sampled_from([SESSIONS[session_key].campus, *CAMPUSES])),
    )


@st.composite
def person(draw):
    age = draw(st.sampled_from(AGES))
    keys = draw(st.lists(st.sampled_from(sorted(SESSIONS)), min_size=1, max_size=3))
    applications = []
    for index, key in enumerate(keys):
        # One open application per session: an earlier one to the same session has ended.
        inactive_only = key in keys[index + 1 :]
        applications.append(draw(application(key, age, inactive_only)))
    return rows.Person(
        key=0,
        applications=applications,
        profile=_profile(draw(entry_facts)),
        erased=draw(st.sampled_from([False, False, False, False, True])),
    )


@st.composite
def agreement(draw, kind):
    campuses = draw(st.one_of(st.just(set(CAMPUSES)), st.sets(st.sampled_from(CAMPUSES), min_size=1)))
    formations = frozenset()
    sessions = frozenset()
    if kind == "formations" or (kind == "sessions" and draw(st.booleans())):
        formations = frozenset(draw(st.sets(st.sampled_from(sorted(FORMATIONS)), min_size=1)))
    if kind == "sessions":
        sessions = frozenset(draw(st.sets(st.sampled_from(sorted(SESSIONS)), min_size=2)))
    # Mostly agreements over the sessions, starting on a session's first day or anywhere around.
    start = draw(
        st.one_of(
            st.sampled_from([D(2024, 9, 1), D(2025, 1, 6), D(2025, 9, 1)]), st.dates(D(2024, 6, 1), D(2026, 3, 31))
        )
    )
    end = start + datetime.timedelta(days=draw(st.one_of(st.sampled_from([730, 364]), st.integers(0, 800))))
    codes = draw(st.sets(st.sampled_from(sorted(TARGETS))))
    found = rows.Agreement(
        kind=kind,
        campuses=frozenset(campuses),
        formations=formations,
        sessions=sessions,
        start=start,
        end=end,
        amount=draw(st.sampled_from([Decimal("120000.00"), Decimal("0"), Decimal("99999.99"), Decimal("1000.01")])),
        targets={code: Decimal(str(draw(st.sampled_from(TARGETS[code])))) for code in sorted(codes)},
    )
    period = found.whole_period
    if draw(st.booleans()):
        # Cut anywhere, often on the first day of a session or next to it (both ends are included).
        edges = sorted({s.start + datetime.timedelta(days=d) for s in SESSIONS.values() for d in (-1, 0, 1)})
        first = draw(
            st.one_of(st.dates(start, end), st.sampled_from([d for d in edges if start <= d <= end] or [start]))
        )
        last = draw(st.one_of(st.dates(first, end), st.sampled_from([d for d in edges if first <= d <= end] or [end])))
        period = rows.Period(first, last)
    return found, period


@st.composite
def worlds(draw):
    moves = draw(st.dictionaries(st.sampled_from(sorted(SESSIONS)), st.sampled_from(CAMPUSES), max_size=2))
    sessions = {
        key: rows.Session(key, moves.get(key, session.campus), session.formation, session.start, session.end)
        for key, session in SESSIONS.items()
    }
    # A few distinct people, each told again and again: enough people in one scope for a verdict (10 or more).
    size = draw(st.integers(2, 10))
    distinct = draw(st.lists(person(), min_size=size, max_size=size))
    copies = draw(st.sampled_from([1, 2, 4]))
    people = []
    for template in distinct:
        # Erasing goes through the product, one person at a time: one erased copy is enough.
        for _copy in range(1 if template.erased else copies):
            people.append(
                rows.Person(
                    key=len(people),
                    applications=[rows.Application(**vars(a)) for a in template.applications],
                    profile=template.profile,
                    erased=template.erased,
                )
            )
    order = 0
    for someone in people:
        for item in someone.applications:
            item.order = order
            order += 1
    agreements = [draw(agreement(draw(st.sampled_from(["campus", "formations", "sessions"]))))]
    # Any day, or one on the edge of what it decides: a 6-month follow-up falling due, a session ending, a
    # period's results becoming complete.
    edges = {add_months(a.left_on, 6) for someone in people for a in someone.applications if a.left_on}
    edges |= {day for s in sessions.values() for day in (s.end, add_months(s.end, 6))}
    edges = sorted({day + datetime.timedelta(days=d) for day in edges for d in (-1, 0, 1)})
    today = draw(st.one_of(st.dates(D(2025, 1, 1), D(2027, 6, 30)), st.sampled_from(edges)))
    return rows.World(sessions=sessions, people=people, agreements=agreements, today=today)
