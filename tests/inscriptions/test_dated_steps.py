"""The steps that happened on a given day (started, finished, dropped out, certified or not) record that day, and
refuse one that cannot be it; staff confirm each on one screen that asks the day."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from formations.models import Session
from inscriptions import services
from inscriptions.exceptions import DateRefused
from inscriptions.models import Application
from inscriptions.workflow import Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
TOLERANCE = 7


@pytest.fixture(autouse=True)
def tolerance(settings):
    settings.TRAINING_START_TOLERANCE_DAYS = TOLERANCE


@pytest.fixture
def session():
    """A session that began ten days ago."""
    return SessionFactory(start_date=TODAY - 10 * DAY, formation__title="Technicien·ne cybersécurité")


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def enrolled(session, staff):
    application = ApplicationFactory(session=session, learner__first_name="Inès", learner__last_name="Benaïssa")
    return move_to(application, Status.ENROLLED, actor=staff)


def started(session, staff, on):
    application = move_to(ApplicationFactory(session=session), Status.ENROLLED, actor=staff)
    services.start(application, role=Role.STAFF, actor=staff, on=on)
    return application


def left(session, staff, started_on, left_on):
    application = started(session, staff, started_on)
    services.complete(application, role=Role.STAFF, actor=staff, on=left_on)
    return application


def unchanged(application):
    """What a refused step must leave as it was."""
    row = Application.objects.get(pk=application.pk)
    return (
        row.status,
        row.status_changed_at,
        row.started_on,
        row.left_on,
        row.certification_on,
        row.history.count(),
        Session.objects.get(pk=row.session_id).seats_taken,
    )


def assert_refused(step, application, match, **kwargs):
    before = unchanged(application)
    with pytest.raises(DateRefused, match=match):
        step(application, role=Role.STAFF, **kwargs)
    assert unchanged(application) == before


# --- The bounds, one by one ---------------------------------------------------------------------


def test_the_start_is_today_unless_staff_give_the_day(session, staff, enrolled):
    services.start(enrolled, role=Role.STAFF, actor=staff)

    assert Application.objects.get(pk=enrolled.pk).started_on == TODAY


def test_a_start_on_the_last_day_of_the_tolerance_is_recorded():
    session = SessionFactory(start_date=TODAY + TOLERANCE * DAY)
    staff = staff_of(session)
    application = move_to(ApplicationFactory(session=session), Status.ENROLLED, actor=staff)

    services.start(application, role=Role.STAFF, actor=staff, on=TODAY)

    assert (application.status, application.started_on) == (Status.IN_TRAINING, TODAY)


def test_a_start_the_day_before_the_tolerance_is_refused(session, staff, enrolled):
    earliest = session.start_date - TOLERANCE * DAY

    assert_refused(
        services.start,
        enrolled,
        f"ne peut pas avoir commencé avant le {earliest:%d/%m/%Y}",
        actor=staff,
        on=earliest - DAY,
    )
    services.start(enrolled, role=Role.STAFF, actor=staff, on=earliest)
    assert Application.objects.get(pk=enrolled.pk).started_on == earliest


def test_the_tolerance_is_a_setting(settings, session, staff, enrolled):
    settings.TRAINING_START_TOLERANCE_DAYS = 0

    assert_refused(services.start, enrolled, "ne peut pas avoir commencé", actor=staff, on=session.start_date - DAY)


@pytest.mark.parametrize("step", ["start", "complete", "drop_out", "certify", "fail_certification"])
def test_a_step_dated_in_the_future_is_refused_and_today_is_not(session, staff, step):
    application = {
        "start": lambda: move_to(ApplicationFactory(session=session), Status.ENROLLED, actor=staff),
        "complete": lambda: started(session, staff, TODAY - 5 * DAY),
        "drop_out": lambda: started(session, staff, TODAY - 5 * DAY),
        "certify": lambda: left(session, staff, TODAY - 5 * DAY, TODAY - 2 * DAY),
        "fail_certification": lambda: left(session, staff, TODAY - 5 * DAY, TODAY - 2 * DAY),
    }[step]()
    transition = getattr(services, step)

    assert_refused(transition, application, "est dans le futur", actor=staff, on=TODAY + DAY)
    transition(application, role=Role.STAFF, actor=staff, on=TODAY)


@pytest.mark.parametrize(("step", "target"), [("complete", Status.COMPLETED), ("drop_out", Status.DROPPED_OUT)])
def test_an_exit_before_the_start_is_refused_and_on_the_start_day_is_recorded(session, staff, step, target):
    application = started(session, staff, TODAY - 5 * DAY)
    transition = getattr(services, step)

    assert_refused(
        transition,
        application,
        f"La formation a commencé le {TODAY - 5 * DAY:%d/%m/%Y} : la sortie ne peut pas être avant",
        actor=staff,
        on=TODAY - 6 * DAY,
    )
    transition(application, role=Role.STAFF, actor=staff, on=TODAY - 5 * DAY)

    row = Application.objects.get(pk=application.pk)
    assert (row.status, row.started_on, row.left_on) == (target, TODAY - 5 * DAY, TODAY - 5 * DAY)


@pytest.mark.parametrize(
    ("step", "target"), [("certify", Status.CERTIFIED), ("fail_certification", Status.NOT_CERTIFIED)]
)
def test_a_certification_before_the_exit_is_refused_and_on_the_exit_day_is_recorded(session, staff, step, target):
    application = left(session, staff, TODAY - 5 * DAY, TODAY - 2 * DAY)
    transition = getattr(services, step)

    assert_refused(transition, application, "le résultat ne peut pas être avant", actor=staff, on=TODAY - 3 * DAY)
    transition(application, role=Role.STAFF, actor=staff, on=TODAY - 2 * DAY)

    row = Application.objects.get(pk=application.pk)
    assert (row.status, row.left_on, row.certification_on) == (target, TODAY - 2 * DAY, TODAY - 2 * DAY)


def test_the_system_closing_keeps_the_session_end_date(staff):
    session = SessionFactory(ended=True)
    application = started(session, staff_of(session), session.start_date)

    services.close_ended_trainings()

    row = Application.objects.get(pk=application.pk)
    assert (row.status, row.started_on, row.left_on) == (Status.COMPLETED, session.start_date, session.end_date)


def test_a_bulk_start_dates_each_application_and_lists_each_refusal(session, staff):
    group = [move_to(ApplicationFactory(session=session), Status.ENROLLED, actor=staff) for _ in range(2)]
    not_enrolled = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)

    done, refused = services.bulk_change_status(
        [*group, not_enrolled], Status.IN_TRAINING, actor=staff, on=session.start_date
    )

    assert done == group
    assert {row.started_on for row in Application.objects.filter(pk__in=[a.pk for a in group])} == {session.start_date}
    assert list(refused) == [not_enrolled]
    assert "Impossible de passer" in refused[not_enrolled]


def staff_of(session):
    return UserFactory(staff_of=session.campus)


# --- The confirmation screen --------------------------------------------------------------------


def step_url(application, target):
    return reverse("inscriptions_admin:step", args=[application.pk, target])


def detail_url(application):
    return reverse("inscriptions_admin:detail", args=[application.pk])


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_detail_page_leads_each_dated_step_to_its_screen(client, staff, enrolled):
    client.force_login(staff)

    page = client.get(detail_url(enrolled)).content.decode()

    assert f'href="{step_url(enrolled, Status.IN_TRAINING)}"' in page
    assert f'value="{Status.IN_TRAINING}"' not in page  # no button that records it without asking the day


def test_the_screen_says_what_will_be_recorded_with_today_as_the_day(client, staff, enrolled):
    client.force_login(staff)

    response = client.get(step_url(enrolled, Status.IN_TRAINING))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Noter que Inès Benaïssa a commencé la formation" in page
    assert "Premier jour de formation" in page
    assert f'value="{TODAY:%d/%m/%Y}"' in page or f'value="{TODAY.isoformat()}"' in page
    assert "Confirmer" in page
    assert f'href="{detail_url(enrolled)}"' in page  # Annuler
    assert Application.objects.get(pk=enrolled.pk).status == Status.ENROLLED


def test_the_screen_loads_the_date_pickers_script(client, staff, enrolled):
    """The field's own script calls the picker's: without it on the page, no picker opens and the script fails."""
    client.force_login(staff)

    page = client.get(step_url(enrolled, Status.IN_TRAINING)).content.decode()

    assert 'initDateChooser("id_on"' in page
    assert page.index("wagtailadmin/js/date-time-chooser.js") < page.index('initDateChooser("id_on"')


@pytest.mark.parametrize("typed", [(TODAY - 9 * DAY).isoformat(), (TODAY - 9 * DAY).strftime("%d/%m/%Y")])
def test_confirming_records_the_day_typed(client, staff, enrolled, typed):
    client.force_login(staff)

    response = client.post(step_url(enrolled, Status.IN_TRAINING), {"on": typed, "comment": "Arrivée à l’heure"})

    assert response.status_code == 302
    assert response.url == detail_url(enrolled)
    row = Application.objects.get(pk=enrolled.pk)
    assert (row.status, row.started_on) == (Status.IN_TRAINING, TODAY - 9 * DAY)
    assert row.history.last().comment == "Arrivée à l’heure"
    assert f"noté le {TODAY - 9 * DAY:%d/%m/%Y}" in " ".join(message_texts(response))


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "Indiquez la date."),
        ("31/02/2027", "Indiquez une date comme 04/01/2027"),
        ((TODAY + DAY).strftime("%d/%m/%Y"), "est dans le futur"),
        ((TODAY - 30 * DAY).strftime("%d/%m/%Y"), "ne peut pas avoir commencé avant"),
    ],
)
def test_a_day_that_cannot_be_is_shown_at_the_top_with_a_link_to_the_field_and_nothing_changes(
    client, staff, enrolled, typed, reason
):
    client.force_login(staff)
    before = unchanged(enrolled)

    response = client.post(step_url(enrolled, Status.IN_TRAINING), {"on": typed})

    page = response.content.decode()
    assert response.status_code == 200
    summary = page[page.index('class="error-summary"') : page.index('name="on"')]
    assert 'href="#id_on"' in summary
    assert reason in summary
    assert unchanged(enrolled) == before


def test_an_exit_and_a_certification_are_confirmed_the_same_way(client, session, staff):
    client.force_login(staff)
    application = started(session, staff, TODAY - 8 * DAY)

    page = client.get(step_url(application, Status.DROPPED_OUT)).content.decode()
    assert "a abandonné la formation" in page
    assert "Dernier jour de présence" in page
    client.post(step_url(application, Status.DROPPED_OUT), {"on": (TODAY - 3 * DAY).isoformat()})

    row = Application.objects.get(pk=application.pk)
    assert (row.status, row.left_on) == (Status.DROPPED_OUT, TODAY - 3 * DAY)

    finished = left(session, staff, TODAY - 8 * DAY, TODAY - 2 * DAY)
    client.post(step_url(finished, Status.CERTIFIED), {"on": TODAY.strftime("%d/%m/%Y")})
    assert Application.objects.get(pk=finished.pk).certification_on == TODAY


def test_a_step_the_application_cannot_take_sends_back_to_the_detail_page(client, staff, enrolled):
    client.force_login(staff)

    for target in [Status.COMPLETED, Status.ADMITTED, "nimporte"]:
        response = client.get(step_url(enrolled, target))
        assert (response.status_code, response.url) == (302, detail_url(enrolled))
        response = client.post(step_url(enrolled, target), {"on": TODAY.isoformat()})
        assert (response.status_code, response.url) == (302, detail_url(enrolled))
    assert Application.objects.get(pk=enrolled.pk).status == Status.ENROLLED


def test_the_one_click_button_of_a_dated_step_leads_to_its_screen_and_records_nothing(client, staff, enrolled):
    client.force_login(staff)

    response = client.post(
        reverse("inscriptions_admin:transition", args=[enrolled.pk]), {"target": Status.IN_TRAINING}
    )

    assert (response.status_code, response.url) == (302, step_url(enrolled, Status.IN_TRAINING))
    assert Application.objects.get(pk=enrolled.pk).status == Status.ENROLLED


def test_staff_of_another_campus_get_404(client, enrolled):
    client.force_login(UserFactory(staff_of=SessionFactory().campus))
    assert client.get(step_url(enrolled, Status.IN_TRAINING)).status_code == 404
    assert client.post(step_url(enrolled, Status.IN_TRAINING), {"on": TODAY.isoformat()}).status_code == 404
    assert Application.objects.get(pk=enrolled.pk).status == Status.ENROLLED


# --- Rows written without the steps (seed data, measurements) ------------------------------------


def test_a_row_written_in_training_without_a_day_began_with_its_group():
    began = timezone.localdate() - datetime.timedelta(weeks=3)
    under_way = SessionFactory(start_date=began, end_date=began + datetime.timedelta(weeks=10))

    application = ApplicationFactory(session=under_way, status=Status.IN_TRAINING)

    # Not the day the row was written: the attendance sheets of its first weeks would miss the person.
    assert application.started_on == began


def test_a_row_written_in_training_before_its_session_begins_began_the_day_it_was_recorded():
    upcoming = SessionFactory(start_date=timezone.localdate() + datetime.timedelta(days=10))

    application = ApplicationFactory(session=upcoming, status=Status.IN_TRAINING)

    assert application.started_on == timezone.localdate()


def test_a_row_written_with_an_exit_never_began_after_it():
    began = timezone.localdate() - datetime.timedelta(weeks=3)
    session = SessionFactory(start_date=began, end_date=began + datetime.timedelta(weeks=10))
    left_on = began - datetime.timedelta(days=2)

    application = ApplicationFactory(session=session, status=Status.DROPPED_OUT, left_on=left_on)

    assert application.started_on == left_on
