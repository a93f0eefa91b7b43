"""Attendance: who is on a sheet, recording it, hours attended, the attendance rate and long absences."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from inscriptions import services
from inscriptions.enums import AttendanceStatus
from inscriptions.exceptions import Refused
from inscriptions.models import Attendance, CancelledHalfDay
from inscriptions.services import attendance
from inscriptions.workflow import ENTERED_TRAINING, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory

P, A, J = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


def started_weeks_ago(weeks=3, **kwargs):
    """A session that began on the Monday `weeks` weeks ago: its first days can be recorded."""
    monday = attendance.week_of(timezone.localdate()) - datetime.timedelta(weeks=weeks)
    return SessionFactory(start_date=monday, end_date=monday + datetime.timedelta(days=60), **kwargs)


@pytest.fixture
def session():
    return started_weeks_ago()


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


def trainee(session, **kwargs):
    """Someone of the session in `status` (in training unless told); in training since the session's first day."""
    status = kwargs.pop("status", Status.IN_TRAINING)
    if status in ENTERED_TRAINING:
        kwargs.setdefault("started_on", session.start_date)
    return ApplicationFactory(session=session, status=status, **kwargs)


def day(session, n):
    """The n-th class day of the session (0 is its first)."""
    days = sorted({half_day.day for half_day in session.half_days()})
    return days[n]


def mark(session, application, n, part, status, by=None):
    """Tick one person on a sheet, keeping what the others have (the sheet is saved whole)."""
    half_day = session.half_day(day(session, n), part)
    marks = dict(Attendance.objects.filter(day=half_day.day, part=part).values_list("application_id", "status"))
    attendance.record_sheet(session, half_day, {**marks, application.pk: status}, by=by)


# --- Who is on a sheet ---------------------------------------------------------------------------


def test_only_people_in_training_that_day_are_on_the_sheet(session):
    inside = trainee(session)
    left = trainee(session, status=Status.DROPPED_OUT, left_on=day(session, 1))
    finished = trainee(session, status=Status.COMPLETED, left_on=day(session, 4))
    trainee(session, status=Status.ENROLLED)
    trainee(session, status=Status.ADMITTED)
    trainee(session, status=Status.WITHDRAWN)

    assert set(attendance.on_sheet(session, day(session, 1))) == {inside, left, finished}
    assert set(attendance.on_sheet(session, day(session, 2))) == {inside, finished}


def test_the_entry_day_is_the_recorded_start_when_there_is_one(session):
    application = trainee(session)
    application.started_on = day(session, 2)

    assert attendance.entered_on(application) == day(session, 2)
    assert not attendance.is_in_training_on(application, day(session, 1))
    assert attendance.is_in_training_on(application, day(session, 2))


def test_without_a_recorded_start_the_entry_day_is_the_sessions_start(session):
    assert attendance.entered_on(trainee(session)) == session.start_date


# --- Recording -----------------------------------------------------------------------------------


def test_a_sheet_records_each_mark_with_its_hours_and_who_recorded_it(session, staff):
    present, absent, excused, unticked = (trainee(session) for _ in range(4))
    half_day = session.half_day(day(session, 0), "matin")

    count = attendance.record_sheet(
        session, half_day, {present.pk: P, absent.pk: A, excused.pk: J, unticked.pk: ""}, by=staff
    )

    assert count == 3
    rows = {row.application_id: row for row in Attendance.objects.all()}
    assert {pk: row.status for pk, row in rows.items()} == {present.pk: P, absent.pk: A, excused.pk: J}
    assert {row.hours for row in rows.values()} == {Decimal("3.50")}
    assert {row.recorded_by for row in rows.values()} == {staff}


def test_saving_a_sheet_again_changes_and_unticks_marks(session, staff):
    first, second = trainee(session), trainee(session)
    half_day = session.half_day(day(session, 0), "matin")
    attendance.record_sheet(session, half_day, {first.pk: P, second.pk: P}, by=staff)

    attendance.record_sheet(session, half_day, {first.pk: A, second.pk: ""}, by=staff)

    assert list(Attendance.objects.values_list("application_id", "status")) == [(first.pk, A)]


def test_people_not_on_the_sheet_are_ignored(session, staff):
    other_session = started_weeks_ago()
    stranger = trainee(other_session)
    not_yet = trainee(session, status=Status.ENROLLED)

    attendance.record_sheet(
        session, session.half_day(day(session, 0), "matin"), {stranger.pk: P, not_yet.pk: P}, by=staff
    )

    assert not Attendance.objects.exists()


def test_a_day_to_come_cannot_be_recorded(staff):
    session = SessionFactory()  # starts in a month
    application = trainee(session)

    with pytest.raises(Refused, match="pas encore passé"):
        attendance.record_sheet(
            session, session.half_days()[0], {application.pk: P}, by=staff, today=timezone.localdate()
        )

    assert not Attendance.objects.exists()


def test_a_cancelled_half_day_removes_its_marks_and_refuses_new_ones(session, staff):
    application = trainee(session)
    half_day = session.half_day(day(session, 0), "matin")
    attendance.record_sheet(session, half_day, {application.pk: A}, by=staff)

    attendance.cancel_half_day(session, half_day, by=staff)

    assert not Attendance.objects.exists()
    assert CancelledHalfDay.objects.get().cancelled_by == staff
    with pytest.raises(Refused, match="annulée"):
        attendance.record_sheet(session, half_day, {application.pk: P}, by=staff)
    attendance.restore_half_day(session, half_day)
    attendance.record_sheet(session, half_day, {application.pk: P}, by=staff)
    assert Attendance.objects.get().status == P


def test_hours_recorded_stay_when_the_timetable_changes_later(session, staff):
    application = trainee(session)
    mark(session, application, 0, "matin", P, staff)

    session.morning_end = datetime.time(12)
    session.save()

    assert attendance.summary_of(application).present_hours == Decimal("3.50")


# --- Hours and rates -----------------------------------------------------------------------------


def test_hours_attended_are_the_hours_of_the_half_days_present(session, staff):
    application = trainee(session)
    session.afternoon_start, session.afternoon_end = datetime.time(13, 30), datetime.time(17, 15)
    session.save()
    mark(session, application, 0, "matin", P)
    mark(session, application, 0, "apres_midi", P)
    mark(session, application, 1, "matin", A)
    mark(session, application, 1, "apres_midi", J)

    summary = attendance.summary_of(application)

    assert summary.present_hours == Decimal("7.25")
    assert summary.absent_hours == Decimal("3.50")
    assert summary.excused_hours == Decimal("3.75")


@pytest.mark.parametrize(
    ("present", "absent", "rate"),
    [
        (Decimal("7"), Decimal("0"), Decimal("100.0")),
        (Decimal("0"), Decimal("7"), Decimal("0.0")),
        (Decimal("7"), Decimal("3.5"), Decimal("66.7")),
        (Decimal("1"), Decimal("2"), Decimal("33.3")),
        (Decimal("0"), Decimal("0"), None),
        (None, None, None),
    ],
)
def test_the_rate_is_hours_present_over_hours_present_or_absent(present, absent, rate):
    assert attendance.attendance_rate(present, absent) == rate


def test_an_excused_absence_counts_on_neither_side_of_the_rate(session, staff):
    application = trainee(session)
    mark(session, application, 0, "matin", P)
    mark(session, application, 0, "apres_midi", J)

    assert attendance.summary_of(application).rate == Decimal("100.0")


def test_the_sessions_rate_weighs_every_hour_the_same(session, staff):
    always, never = trainee(session), trainee(session)
    for n in range(3):
        mark(session, always, n, "matin", P)
    mark(session, never, 0, "matin", A)

    # 10.5 hours present out of 14 recorded: not the mean of 100 % and 0 %.
    assert attendance.session_summary(session).rate == Decimal("75.0")


def test_nobody_recorded_has_no_rate(session):
    application = trainee(session)

    assert attendance.summary_of(application).rate is None
    assert attendance.session_summary(session).rate is None


# --- Long absences -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "run"),
    [
        ([(0, A), (1, A), (2, A)], 3),
        ([(0, A), (1, A)], 2),
        ([(0, A), (1, P), (2, A), (3, A)], 2),
        ([(0, A), (1, J), (2, A)], 1),
        ([(0, A), (1, A), (3, A)], 3),  # a day with nothing recorded neither ends nor extends the run
        ([(0, A), (1, A), (2, A), (3, P)], 0),
    ],
)
def test_absent_days_in_a_row(marks, run):
    monday = datetime.date(2027, 1, 4)

    found = [(monday + datetime.timedelta(days=n), status) for n, status in marks]

    assert attendance.absent_days_in_a_row(found) == run


def test_a_day_with_one_half_day_present_is_not_an_absent_day():
    monday = datetime.date(2027, 1, 4)

    assert attendance.absent_days_in_a_row([(monday, A), (monday, P)]) == 0


def test_three_class_days_absent_without_excuse_flag_the_person(session, staff, settings):
    settings.ATTENDANCE_ABSENCE_ALERT_DAYS = 3
    flagged, excused, back = trainee(session), trainee(session), trainee(session)
    for n in range(3):
        mark(session, flagged, n, "matin", A)
        mark(session, flagged, n, "apres_midi", A)
        mark(session, excused, n, "matin", J if n == 1 else A)
        mark(session, back, n, "matin", A)
    mark(session, back, 3, "matin", P)

    assert attendance.long_absences([flagged.pk, excused.pk, back.pk]) == {flagged.pk: 3}


def test_the_number_of_days_is_a_setting(session, staff, settings):
    settings.ATTENDANCE_ABSENCE_ALERT_DAYS = 2
    application = trainee(session)
    mark(session, application, 0, "matin", A)
    mark(session, application, 1, "matin", A)

    assert attendance.long_absences([application.pk]) == {application.pk: 2}


def test_someone_who_left_is_not_flagged(session, staff):
    application = trainee(session)
    for n in range(3):
        mark(session, application, n, "matin", A)
    application.status, application.left_on = Status.DROPPED_OUT, day(session, 3)
    application.save()

    assert attendance.long_absences([application.pk]) == {}


# --- A session's days ----------------------------------------------------------------------------


def test_a_sessions_days_say_which_sheets_are_filled(session, staff):
    first, second = trainee(session), trainee(session)
    mark(session, first, 0, "matin", P)
    attendance.record_sheet(
        session, session.half_day(day(session, 0), "apres_midi"), {first.pk: P, second.pk: A}, by=staff
    )
    attendance.cancel_half_day(session, session.half_day(day(session, 1), "matin"), by=staff)

    days = attendance.sheet_days(session)[:3]

    assert [(sheet.recorded, sheet.expected, sheet.is_filled, sheet.cancelled) for sheet in days] == [
        (1, 2, False, False),
        (2, 2, True, False),
        (0, 2, False, True),
    ]


# --- Privacy -------------------------------------------------------------------------------------


def test_the_learners_data_download_lists_her_attendance(session, staff):
    application = trainee(session)
    mark(session, application, 0, "matin", J, staff)

    data = services.export_learner_data(application.learner)

    [marks] = [row["présences"] for row in data["candidatures"]]
    assert marks == [
        {
            "jour": day(session, 0).isoformat(),
            "demi_journée": "Matin",
            "présence": "Absence justifiée",
            "heures": "3.50",
            "noté_le": Attendance.objects.get().recorded_at.isoformat(),
        }
    ]


def test_erasing_the_account_keeps_the_anonymous_attendance_that_hours_are_counted_from(session, staff):
    application = trainee(session)
    mark(session, application, 0, "matin", P, staff)

    services.erase_learner(application.learner)

    application.learner.refresh_from_db()
    assert application.learner.first_name == ""
    assert attendance.summary_of(application).present_hours == Decimal("3.50")
