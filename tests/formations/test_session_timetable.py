"""A session's timetable: class days and a morning and/or afternoon slot, from which attendance sheets are drawn."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from formations.models import Session
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory, session_form_data

MONDAY = datetime.date(2027, 1, 4)


def test_a_new_session_runs_monday_to_friday_morning_and_afternoon():
    session = SessionFactory(start_date=MONDAY, end_date=MONDAY + datetime.timedelta(days=6))

    half_days = session.half_days()

    assert [(half_day.day.isoweekday(), half_day.part) for half_day in half_days[:2]] == [
        (1, "matin"),
        (1, "apres_midi"),
    ]
    assert len(half_days) == 10  # five days, two half-days each: the weekend has none
    assert {half_day.hours for half_day in half_days} == {Decimal("3.50")}


def test_half_days_follow_the_class_days_and_slots_between_start_and_end():
    session = SessionFactory(
        start_date=MONDAY + datetime.timedelta(days=2),  # a Wednesday
        end_date=MONDAY + datetime.timedelta(days=9),  # the next Wednesday
        class_days="135",
        afternoon_start=None,
        afternoon_end=None,
        morning_start=datetime.time(9),
        morning_end=datetime.time(12, 15),
    )

    half_days = session.half_days()

    assert [half_day.day for half_day in half_days] == [
        datetime.date(2027, 1, 6),
        datetime.date(2027, 1, 8),
        datetime.date(2027, 1, 11),
        datetime.date(2027, 1, 13),
    ]
    assert {half_day.part for half_day in half_days} == {"matin"}
    assert half_days[0].hours == Decimal("3.25")


def test_half_days_can_be_asked_for_one_week():
    session = SessionFactory(start_date=MONDAY, end_date=MONDAY + datetime.timedelta(days=30))

    week = session.half_days(MONDAY + datetime.timedelta(days=7), MONDAY + datetime.timedelta(days=13))

    assert len(week) == 10
    assert week[0].day == MONDAY + datetime.timedelta(days=7)


def test_a_session_without_a_slot_or_a_day_has_no_half_day():
    no_slot = SessionFactory(morning_start=None, morning_end=None, afternoon_start=None, afternoon_end=None)
    no_day = SessionFactory(class_days="")

    assert no_slot.half_days() == []
    assert no_day.half_days() == []


def test_half_day_answers_none_outside_the_timetable():
    session = SessionFactory(start_date=MONDAY, end_date=MONDAY + datetime.timedelta(days=30), class_days="12345")

    assert session.half_day(MONDAY, "matin").hours == Decimal("3.50")
    assert session.half_day(MONDAY + datetime.timedelta(days=5), "matin") is None  # a Saturday
    assert session.half_day(MONDAY - datetime.timedelta(days=7), "matin") is None  # before the start
    assert session.half_day(MONDAY, "soir") is None


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"morning_start": datetime.time(12), "morning_end": datetime.time(9)}, "morning_end"),
        ({"afternoon_start": datetime.time(14), "afternoon_end": datetime.time(14)}, "afternoon_end"),
        ({"morning_start": None}, "morning_start"),
        ({"afternoon_end": None}, "afternoon_end"),
        ({"morning_end": datetime.time(14), "afternoon_start": datetime.time(13, 30)}, "afternoon_start"),
    ],
)
def test_a_timetable_that_ends_before_it_starts_is_refused_on_its_field(times, field):
    session = SessionFactory.build(formation=SessionFactory().formation, **times)

    with pytest.raises(ValidationError) as raised:
        session.full_clean()

    assert field in raised.value.message_dict


def test_staff_fill_the_timetable_in_the_session_form(client):
    session = SessionFactory()
    client.force_login(UserFactory(staff_of=session.campus))
    data = session_form_data(
        session,
        morning_start="08:30",
        morning_end="12:00",
        afternoon_start="",
        afternoon_end="",
    )
    data["class_days"] = ["1", "2", "4"]

    response = client.post(reverse("sessions:edit", args=[session.pk]), data)

    assert response.status_code == 302
    session = Session.objects.get(pk=session.pk)
    assert session.class_days == "124"
    assert session.morning_start == datetime.time(8, 30)
    assert session.afternoon_start is None
    assert session.slots == {"matin": Decimal("3.50")}


def test_the_session_form_shows_an_end_before_the_start_on_its_field(client):
    session = SessionFactory()
    client.force_login(UserFactory(staff_of=session.campus))
    data = session_form_data(session, afternoon_start="17:00", afternoon_end="13:30")

    response = client.post(reverse("sessions:edit", args=[session.pk]), data)

    assert response.status_code == 200
    assert "La fin de l’après-midi doit venir après son début." in response.content.decode()
    assert Session.objects.get(pk=session.pk).afternoon_end == datetime.time(17)
