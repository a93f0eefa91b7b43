"""The attendance rate (`taux_assiduite`) is the one docs/indicators.md defines, on cohorts drawn at random.

The reference below is written from the document's words alone and reads plain tuples, not the database.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from financeurs.enums import IndicatorCode
from financeurs.indicators import Period, compute
from inscriptions.models import Attendance
from inscriptions.workflow import Status
from tests.campus.factories import CampusPageFactory
from tests.financeurs.factories import AgreementFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory

# « Les personnes qui ont commencé la formation : en formation, formation terminée, abandon, certifiées ou non
# certifiées »
ENTERED = {"in_training", "completed", "dropped_out", "certified", "not_certified"}
STAGE = {"submitted": 0, "refused": 0, "admitted": 1, "enrolled": 2, **dict.fromkeys(ENTERED, 3)}
LEFT = {"completed", "dropped_out", "certified", "not_certified"}

mark = st.tuples(
    st.integers(0, 9),  # the class day
    st.sampled_from(["matin", "apres_midi"]),
    st.sampled_from(["present", "absent", "excuse"]),
    st.sampled_from([Decimal("3.50"), Decimal("3.25"), Decimal("4.00")]),
)
application = st.tuples(
    st.integers(0, 2),  # the session: 0 and 1 in the agreement (1 starts later), 2 outside it
    st.sampled_from(sorted(STAGE)),
    st.lists(mark, max_size=6, unique_by=lambda m: (m[0], m[1])),
)
person = st.lists(application, min_size=1, max_size=2, unique_by=lambda a: a[0])


def reference_rate(people, session_starts):
    """« Parmi les personnes entrées en formation (chacune par la candidature qui la représente) » : the one that
    went furthest, then the latest session; « heures présentes ÷ (heures présentes + heures d'absence non
    justifiée), en %, arrondi à 0,1 » ; « Une absence justifiée ne compte d'aucun côté » ; « Non calculable tant
    qu'aucune heure présente ou absente n'est notée »."""
    present = absent = Decimal(0)
    for applications in people:
        in_scope = [(order, a) for order, a in enumerate(applications) if a[0] in (0, 1)]
        if not in_scope:
            continue
        _order, (_session, status, marks) = max(
            in_scope, key=lambda item: (STAGE[item[1][1]], session_starts[item[1][0]], item[0])
        )
        if status not in ENTERED:
            continue
        for _day, _part, state, hours in marks:
            if state == "present":
                present += hours
            elif state == "absent":
                absent += hours
    if present + absent == 0:
        return None
    return (100 * present / (present + absent)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@pytest.fixture
def places():
    campus, elsewhere = CampusPageFactory(), CampusPageFactory()
    today = timezone.localdate()
    sessions = [
        SessionFactory(formation=FormationPageFactory(parent=campus), start_date=today - datetime.timedelta(days=90)),
        SessionFactory(formation=FormationPageFactory(parent=campus), start_date=today - datetime.timedelta(days=60)),
        SessionFactory(
            formation=FormationPageFactory(parent=elsewhere), start_date=today - datetime.timedelta(days=60)
        ),
    ]
    return AgreementFactory(campuses=[campus]), sessions


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(person, max_size=6))
def test_the_attendance_rate_is_the_published_definition(places, people):
    agreement, sessions = places
    with transaction.atomic():
        now = timezone.now()
        for applications in people:
            learner = LearnerFactory()
            for order, (session_index, status, marks) in enumerate(applications):
                session = sessions[session_index]
                row = ApplicationFactory(
                    learner=learner,
                    session=session,
                    status=status,
                    submitted_at=now + datetime.timedelta(seconds=order),
                    left_on=session.start_date + datetime.timedelta(days=20) if status in LEFT else None,
                )
                Attendance.objects.bulk_create(
                    Attendance(
                        application=row,
                        day=session.start_date + datetime.timedelta(days=day),
                        part=part,
                        status=state,
                        hours=hours,
                    )
                    for day, part, state, hours in marks
                )
        product = compute(agreement, Period.of_agreement(agreement)).by_code(IndicatorCode.ATTENDANCE_RATE)
        expected = reference_rate(people, [session.start_date for session in sessions])
        transaction.set_rollback(True)

    assert product.value == expected
    assert product.unit == "%"


def test_a_target_on_the_attendance_rate_gets_a_verdict(places):
    agreement, sessions = places
    agreement.targets.create(indicator=IndicatorCode.ATTENDANCE_RATE, value=80)
    application = ApplicationFactory(session=sessions[0], status=Status.IN_TRAINING)
    for day, state in enumerate(["present"] * 4 + ["absent"]):
        Attendance.objects.create(
            application=application,
            day=sessions[0].start_date + datetime.timedelta(days=day),
            part="matin",
            status=state,
            hours=Decimal("3.50"),
        )

    result = compute(agreement, Period.of_agreement(agreement)).by_code(IndicatorCode.ATTENDANCE_RATE)

    assert result.value == Decimal("80.0")
    assert result.target_met is True
