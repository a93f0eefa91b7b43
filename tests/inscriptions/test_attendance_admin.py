"""Staff pages of attendance: a session's days, a half-day's sheet, the sheet for signatures, the list's filter."""

import datetime
import io
import re
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from inscriptions.attendance_sheets import attendance_workbook
from inscriptions.enums import AttendanceStatus
from inscriptions.models import Attendance, CancelledHalfDay
from inscriptions.services import attendance
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory
from tests.inscriptions.test_attendance import day, mark, started_weeks_ago, trainee

P, A, J = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


@pytest.fixture
def session():
    return started_weeks_ago(formation__title="Développeur web")


@pytest.fixture
def staff(client, session):
    user = UserFactory(staff_of=session.campus)
    client.force_login(user)
    return user


def session_url(session):
    return reverse("inscriptions_admin:attendance", args=[session.pk])


def sheet_url(session, n, part="matin"):
    return reverse("inscriptions_admin:attendance_sheet", args=[session.pk, day(session, n).isoformat(), part])


def xlsx_url(session, week=None):
    url = reverse("inscriptions_admin:attendance_xlsx", args=[session.pk])
    return f"{url}?semaine={week.isoformat()}" if week else url


# --- Scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["session", "sheet", "xlsx"])
def test_staff_of_another_campus_gets_404(client, session, name):
    client.force_login(UserFactory(staff_of=SessionFactory().campus))
    trainee(session)
    urls = {"session": session_url(session), "sheet": sheet_url(session, 0), "xlsx": xlsx_url(session)}

    assert client.get(urls[name]).status_code == 404


def test_staff_of_another_campus_cannot_post_a_sheet(client, session):
    application = trainee(session)
    client.force_login(UserFactory(staff_of=SessionFactory().campus))

    response = client.post(sheet_url(session, 0), {f"personne_{application.pk}": P})

    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_a_learner_cannot_reach_the_pages(client, session):
    application = trainee(session)
    client.force_login(application.learner.user)

    assert client.get(session_url(session)).status_code in (302, 403)
    assert client.post(sheet_url(session, 0), {f"personne_{application.pk}": P}).status_code in (302, 403)
    assert not Attendance.objects.exists()


def test_a_day_off_the_timetable_is_not_found(client, session, staff):
    saturday = day(session, 0) + datetime.timedelta(days=5)
    url = reverse("inscriptions_admin:attendance_sheet", args=[session.pk, saturday.isoformat(), "matin"])

    assert client.get(url).status_code == 404
    assert client.get(url.replace(saturday.isoformat(), "pas-une-date")).status_code == 404


# --- The sheet -----------------------------------------------------------------------------------


def test_staff_tick_everyone_at_once_and_save(client, session, staff):
    ines, karim, lea = (
        trainee(session, learner__first_name=name, learner__last_name="Martin") for name in ("Inès", "Karim", "Léa")
    )

    page = client.get(sheet_url(session, 0)).content.decode()
    response = client.post(
        sheet_url(session, 0), {f"personne_{ines.pk}": P, f"personne_{karim.pk}": A, f"personne_{lea.pk}": ""}
    )

    assert "<legend>Inès Martin</legend>" in page
    assert "checked" not in page  # nobody ticked before staff do
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("application_id", "status")) == {ines.pk: P, karim.pk: A}
    assert Attendance.objects.filter(recorded_by=staff).count() == 2


def test_the_sheet_shows_what_was_recorded(client, session, staff):
    application = trainee(session)
    mark(session, application, 0, "matin", J, staff)

    page = client.get(sheet_url(session, 0)).content.decode()

    checked = re.findall(r'<input type="radio" name="personne_\d+" value="(\w+)"[^>]*checked', page)
    assert checked == [J]


def test_a_value_off_the_choices_is_shown_at_the_top(client, session, staff):
    application = trainee(session)

    response = client.post(sheet_url(session, 0), {f"personne_{application.pk}": "peut-etre"})

    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert f'href="#id_personne_{application.pk}_0"' in response.content.decode()
    assert f'id="id_personne_{application.pk}_0" aria-invalid="true"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_half_day_not_held_is_cancelled_for_the_whole_session(client, session, staff):
    application = trainee(session)
    mark(session, application, 0, "matin", A, staff)

    client.post(sheet_url(session, 0), {"not_held": "on", f"personne_{application.pk}": P})

    assert CancelledHalfDay.objects.filter(session=session, day=day(session, 0), part="matin").exists()
    assert not Attendance.objects.exists()
    assert "Annulée" in client.get(session_url(session)).content.decode()


def test_a_future_day_cannot_be_filled(client, staff):
    session = SessionFactory()
    client.force_login(UserFactory(staff_of=session.campus))
    application = trainee(session)

    page = client.get(sheet_url(session, 0)).content.decode()
    response = client.post(sheet_url(session, 0), {f"personne_{application.pk}": P})

    assert "pas encore passé" in page
    assert "Enregistrer les présences" not in page
    assert response.status_code == 200
    assert not Attendance.objects.exists()


# --- The session's page and the application's ----------------------------------------------------


def test_the_session_page_shows_rates_hours_and_long_absences(client, session, staff, settings):
    settings.ATTENDANCE_ABSENCE_ALERT_DAYS = 3
    present = trainee(session, learner__first_name="Inès", learner__last_name="Moreau")
    absent = trainee(session, learner__first_name="Karim", learner__last_name="Benali")
    for n in range(3):
        mark(session, present, n, "matin", P, staff)
        mark(session, absent, n, "matin", A, staff)

    page = client.get(session_url(session)).content.decode()

    assert "10,5\u00a0h" in page  # Inès's hours
    assert "50,0\u00a0%" in page  # the session's rate
    assert "absent·e 3 jours de suite" in page
    assert "Karim Benali" in page.split('id="absences"')[1].split("</section>")[0]
    assert "Inès Moreau" not in page.split('id="absences"')[1].split("</section>")[0]


def test_the_session_page_is_linked_from_the_sessions_list(client, session, staff):
    page = client.get(reverse("sessions:index")).content.decode()

    assert session_url(session) in page


def test_the_application_page_shows_the_persons_hours_rate_and_flag(client, session, staff, settings):
    settings.ATTENDANCE_ABSENCE_ALERT_DAYS = 2
    application = trainee(session)
    mark(session, application, 0, "matin", P, staff)
    mark(session, application, 1, "matin", A, staff)
    mark(session, application, 2, "matin", A, staff)

    page = client.get(reverse("inscriptions_admin:detail", args=[application.pk])).content.decode()

    assert 'id="presences"' in page
    assert "3,5\u00a0h" in page
    assert "33,3\u00a0%" in page
    assert "Absence longue : absent·e 2 jours de cours de suite" in page
    assert session_url(session) in page


def test_an_application_not_in_training_has_no_attendance_section(client, session, staff):
    application = ApplicationFactory(session=session)

    page = client.get(reverse("inscriptions_admin:detail", args=[application.pk])).content.decode()

    assert 'id="presences"' not in page


def test_the_list_filters_long_absences(client, session, staff, settings):
    settings.ATTENDANCE_ABSENCE_ALERT_DAYS = 3
    flagged = trainee(session, learner__last_name="Absente")
    present = trainee(session, learner__last_name="Présente")
    for n in range(3):
        mark(session, flagged, n, "matin", A, staff)
        mark(session, present, n, "matin", P, staff)

    page = client.get(reverse("inscriptions_admin:index") + "?long_absence=on").content.decode()

    assert "Absente" in page
    assert "Présente" not in page


def build_people(session, staff, count, days):
    """`count` more people in training, and everyone's sheets over the first `days` class days."""
    for _ in range(count):
        trainee(session)
    everyone = attendance.trainees(session)
    for n in range(days):
        for part in ("matin", "apres_midi"):
            half_day = session.half_day(day(session, n), part)
            attendance.record_sheet(session, half_day, {app.pk: A if n else P for app in everyone}, by=staff)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["session", "detail", "list", "sheet", "xlsx", "print"])
def test_query_counts_do_not_grow_with_people_or_days(client, session, staff, page):
    def url():
        application = session.applications.first()
        return {
            "session": session_url(session),
            "detail": reverse("inscriptions_admin:detail", args=[application.pk]),
            "list": reverse("inscriptions_admin:index") + "?long_absence=on",
            "sheet": sheet_url(session, 1),
            "xlsx": xlsx_url(session),
            "print": reverse("inscriptions_admin:attendance_print", args=[session.pk]),
        }[page]

    build_people(session, staff, 2, days=4)
    few = count_queries(client, url())
    build_people(session, staff, 8, days=9)
    many = count_queries(client, url())

    assert many == few


def calls_to_build_the_sheet(session):
    """How many Python function calls (generators resumed included) building the session's XLSX sheet takes."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        attendance_workbook(session)
    finally:
        sys.setprofile(None)
    return calls


def test_the_sheet_for_signatures_costs_the_same_for_each_line(session, staff):
    """Ten more people cost as much work as the ten before: no line costs the lines above it (the sheet's size
    asked for each line made 300 people's sheet take seconds)."""
    calls_to_build_the_sheet(session)  # Once for the caches filled on a first call (regular expressions, columns).
    work = []
    for _ in range(3):
        build_people(session, staff, 10, days=3)
        work.append(calls_to_build_the_sheet(session))

    first_ten_more, second_ten_more = work[1] - work[0], work[2] - work[1]
    assert abs(second_ten_more - first_ten_more) <= first_ten_more * 0.01, work


# --- The sheet for signatures ------------------------------------------------------------------


def workbook_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_weekly_sheet_has_a_line_per_person_and_a_column_per_half_day(client, session, staff):
    ines = trainee(session, learner__first_name="Inès", learner__last_name="Moreau")
    trainee(session, learner__first_name='=HYPERLINK("http://x")', learner__last_name="@Somme")
    mark(session, ines, 0, "matin", P, staff)
    mark(session, ines, 0, "apres_midi", A, staff)
    monday = day(session, 0)

    response = client.get(xlsx_url(session, monday))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(response)
    text = [value for row in rows for value in row if value is not None]
    assert session.campus.title in text
    assert "Développeur web" in text
    header = next(row for row in rows if row[0] == "Nom")
    assert len(header) == 2 + 10 + 1  # names, five days of two half-days, hours
    assert header[-1] == "Heures suivies"
    moreau = next(row for row in rows if row[0] == "Moreau")
    assert moreau[2:4] == ["P", "A"]
    assert moreau[4] in ("", None)  # left blank to sign
    assert moreau[-1] == 3.5
    injected = next(row for row in rows if row[0] and row[0].endswith("Somme"))
    assert injected[0] == "'@Somme"
    assert injected[1].startswith("'=")


def test_the_whole_session_sheet_covers_every_half_day(client, session, staff):
    trainee(session)

    rows = workbook_rows(client.get(xlsx_url(session)))

    header = next(row for row in rows if row[0] == "Nom")
    assert len(header) == 2 + len(session.half_days()) + 1


def test_a_cancelled_half_day_reads_cancelled_on_the_sheet(client, session, staff):
    application = trainee(session, learner__last_name="Moreau")
    attendance.cancel_half_day(session, session.half_day(day(session, 0), "matin"), by=staff)

    rows = workbook_rows(client.get(xlsx_url(session, day(session, 0))))

    assert next(row for row in rows if row[0] == "Moreau")[2] == "annulé"
    assert application


# --- The learner's space -------------------------------------------------------------------------


def test_the_learner_reads_her_hours_and_rate_in_her_space(client, session, staff):
    application = trainee(session)
    mark(session, application, 0, "matin", P, staff)
    mark(session, application, 0, "apres_midi", A, staff)
    mark(session, application, 1, "matin", J, staff)
    client.force_login(application.learner.user)

    page = client.get(reverse("inscriptions:espace")).content.decode()

    assert "Heures suivies" in page
    assert "3,5\u00a0h" in page
    assert "50,0\u00a0%" in page
    assert "3,5\u00a0h d’absence justifiée" in page


def test_an_application_not_in_training_shows_no_hours(client, session):
    application = ApplicationFactory(session=session, status=Status.ENROLLED)
    client.force_login(application.learner.user)

    page = client.get(reverse("inscriptions:espace")).content.decode()

    assert "Heures suivies" not in page


def test_the_printable_sheet_has_the_same_lines_as_the_spreadsheet(client, session, staff):
    ines = trainee(session, learner__first_name="Inès", learner__last_name="Moreau")
    mark(session, ines, 0, "matin", P, staff)
    url = reverse("inscriptions_admin:attendance_print", args=[session.pk]) + f"?semaine={day(session, 0)}"

    page = client.get(url).content.decode()

    assert "Feuille d’émargement" in page
    assert session.campus.title in page
    assert '<th scope="row">Moreau</th>' in page
    assert "<td>P</td>" in page
    assert "3,5\u00a0h" in page
    assert page.count('<th scope="col">') == 2 + 10 + 1


def test_staff_of_another_campus_cannot_print_the_sheet(client, session):
    client.force_login(UserFactory(staff_of=SessionFactory().campus))

    assert client.get(reverse("inscriptions_admin:attendance_print", args=[session.pk])).status_code == 404
