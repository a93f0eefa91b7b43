"""A session's people, for the first day: the campus's own, filtered by status, printable, in CSV and XLSX."""

import csv
import datetime
import io
import uuid

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from formations.enums import FeeKind
from inscriptions.workflow import Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, paid_online


@pytest.fixture
def campus(campus_index):
    return CampusPageFactory(parent=campus_index, title="Campus numérique d'Aubervilliers")


@pytest.fixture
def session(campus):
    formation = FormationPageFactory(parent=campus, title="Développeur web et web mobile")
    return SessionFactory(
        formation=formation, start_date=datetime.date(2099, 1, 4), end_date=datetime.date(2099, 6, 30)
    )


@pytest.fixture
def staff(client, campus):
    user = UserFactory(staff_of=campus)
    client.force_login(user)
    return user


def person(session, status, **learner):
    return ApplicationFactory(session=session, status=status, learner=LearnerFactory(**learner))


def people_url(session, **query):
    url = reverse("inscriptions_admin:session_people", args=[session.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def export_url(session, export_format, **query):
    url = reverse("inscriptions_admin:session_people_export", args=[session.pk])
    return url + f"?format={export_format}" + "".join(f"&{key}={value}" for key, value in query.items())


def names(response):
    return [row.last_name for row in response.context["people"]]


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_list_shows_what_the_first_day_needs(client, staff, session):
    application = person(
        session,
        Status.ENROLLED,
        first_name="Inès",
        last_name="Benaïssa",
        phone="06 12 34 56 78",
        birth_date=datetime.date(2005, 3, 1),
    )
    application.learner.user.email = "ines@exemple.fr"
    application.learner.user.save()

    response = client.get(people_url(session))
    content = response.content.decode()

    assert response.status_code == 200
    assert "BENAÏSSA Inès" in content
    assert "ines@exemple.fr" in content
    assert "06 12 34 56 78" in content
    assert "01/03/2005" in content
    assert "Inscrit·e" in content
    assert reverse("inscriptions_admin:detail", args=[application.pk]) in content


def test_a_minor_shows_the_guardian_and_an_adult_does_not(client, staff, session):
    person(session, Status.ADMITTED, last_name="Mineure", minor=True)
    person(session, Status.ADMITTED, last_name="Majeur", guardian_name="Ancien Tuteur", guardian_email="ancien@x.fr")

    rows = {row[0]: row for row in csv_rows(client.get(export_url(session, "csv")))[1:]}

    assert rows["Mineure"][6:8] == ["Parent Exemple", "parent@famille.example"]
    assert rows["Majeur"][6:8] == ["", ""]
    assert "Ancien Tuteur" not in client.get(people_url(session)).content.decode()


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("", ["Admise", "Candidate", "Enattente", "Enformation", "Inscrite", "Sortie"]),
        ("candidats", ["Candidate", "Enattente"]),
        ("admis", ["Admise"]),
        ("inscrits", ["Inscrite"]),
        ("en_formation", ["Enformation"]),
        ("sortis", ["Sortie"]),
        ("sans_suite", ["Refusee"]),
        ("nimportequoi", ["Admise", "Candidate", "Enattente", "Enformation", "Inscrite", "Sortie"]),
    ],
)
def test_the_list_filters_by_status_and_the_export_follows(client, staff, session, group, expected):
    for status, name in [
        (Status.SUBMITTED, "Candidate"),
        (Status.WAITLISTED, "Enattente"),
        (Status.ADMITTED, "Admise"),
        (Status.ENROLLED, "Inscrite"),
        (Status.IN_TRAINING, "Enformation"),
        (Status.DROPPED_OUT, "Sortie"),
        (Status.REFUSED, "Refusee"),
    ]:
        person(session, status, last_name=name)

    assert names(client.get(people_url(session, statut=group))) == expected
    assert [row[0] for row in csv_rows(client.get(export_url(session, "csv", statut=group)))[1:]] == expected


def test_the_filters_count_their_people(client, staff, session):
    person(session, Status.SUBMITTED)
    person(session, Status.ADMITTED)
    person(session, Status.ADMITTED)
    person(session, Status.WITHDRAWN)

    content = client.get(people_url(session)).content.decode()

    assert "Toutes les personnes (3)" in content
    assert "Admis·es (2)" in content
    assert "Sans suite (1)" in content


def test_only_this_sessions_people_are_listed(client, staff, session):
    person(session, Status.ADMITTED, last_name="Ici")
    person(SessionFactory(formation=session.formation), Status.ADMITTED, last_name="Ailleurs")

    assert names(client.get(people_url(session))) == ["Ici"]


@pytest.mark.parametrize(
    ("price_cents", "paid", "shown"), [(0, False, "Gratuit"), (5000, False, "Non payé"), (5000, True, "Payé")]
)
def test_the_list_says_whether_the_seat_is_paid(client, staff, campus, price_cents, paid, shown):
    session = SessionFactory(formation__parent=campus, price_cents=price_cents, fee_kind=FeeKind.FEE)
    application = person(session, Status.ADMITTED)
    if paid:
        paid_online(application, amount_cents=5000)

    assert csv_rows(client.get(export_url(session, "csv")))[1][9] == shown


def test_the_csv_and_xlsx_exports_hold_the_same_columns(client, staff, session):
    person(session, Status.ENROLLED, first_name="Léa", last_name="Martin", phone="0612345678")

    rows = csv_rows(client.get(export_url(session, "csv")))
    response = client.get(export_url(session, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [["" if cell.value is None else str(cell.value) for cell in row] for row in sheet.iter_rows()]

    assert rows[0] == [
        "Nom",
        "Prénom",
        "E-mail",
        "Téléphone",
        "Date de naissance",
        "Âge",
        "Parent ou tuteur (mineur·e)",
        "E-mail du parent ou tuteur",
        "Statut",
        "Paiement",
        "Candidature envoyée le",
    ]
    assert rows[1][:4] == ["Martin", "Léa", rows[1][2], "0612345678"]
    assert cells == rows
    assert 'filename="personnes-developpeur-web-et-web-mobile-2099-01-04.xlsx"' in response["Content-Disposition"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_formula_at_the_start_of_a_cell_is_neutralised(client, staff, session, start):
    person(session, Status.ADMITTED, last_name=f'{start}HYPERLINK("http://x")', phone=f"{start}33612345678")

    row = csv_rows(client.get(export_url(session, "csv")))[1]

    assert row[0] == f'\'{start}HYPERLINK("http://x")'
    assert row[3] == f"'{start}33612345678"


def test_staff_of_another_campus_get_404(client, campus_index, session):
    person(session, Status.ADMITTED)
    client.force_login(UserFactory(staff_of=CampusPageFactory(parent=campus_index)))

    assert client.get(people_url(session)).status_code == 404
    assert client.get(export_url(session, "csv")).status_code == 404


def test_the_query_count_does_not_grow_with_the_number_of_people(client, staff, campus):
    session = SessionFactory(formation__parent=campus, price_cents=5000)

    def queries_for(count):
        for _ in range(count):
            paid_online(person(session, Status.ADMITTED, minor=True), intent=f"pi_{uuid.uuid4().hex}")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(people_url(session)).status_code == 200
        with CaptureQueriesContext(connection) as exported:
            assert client.get(export_url(session, "xlsx")).status_code == 200
        return len(captured), len(exported)

    assert queries_for(1) == queries_for(10)


def test_the_sessions_list_and_the_session_page_link_to_the_people(client, staff, session):
    url = people_url(session)

    assert url in client.get(reverse("sessions:index")).content.decode()
    assert url in client.get(reverse("sessions:edit", args=[session.pk])).content.decode()


def test_the_page_prints_the_list_only(client, staff, session):
    content = client.get(people_url(session)).content.decode()

    assert 'media="print"' in content and "admin-print" in content
