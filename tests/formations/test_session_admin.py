"""Staff type a session in the admin the French way: dates dd/mm/yyyy or in words, the amount in euros."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from formations.models import Session
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def campus(campus_index):
    return CampusPageFactory(parent=campus_index, title="Campus numérique d'Aubervilliers")


@pytest.fixture
def formation(campus):
    return FormationPageFactory(parent=campus, title="Développeur web et web mobile")


@pytest.fixture
def staff(client, campus):
    user = UserFactory(staff_of=campus)
    client.force_login(user)
    return user


def new_session(formation, **changes):
    return {
        "formation": formation.pk,
        "start_date": "04/01/2027",
        "end_date": "30/06/2027",
        "application_deadline": "15/12/2026",
        "capacity": "12",
        "schedule": "temps_plein",
        "price_cents": "0",
        "fee_kind": "frais",
        "schedule_details": "",
        "applications_open": "on",
        **changes,
    }


def add(client, data):
    return client.post(reverse("sessions:add"), data)


def errors_of(response):
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    "typed",
    ["04/01/2027", "4/1/2027", "2027-01-04", "4 janvier 2027", "lundi 4 janvier 2027", "4 janv. 2027", " 04/01/2027 "],
)
def test_a_start_date_typed_the_french_way_is_kept(client, staff, formation, typed):
    response = add(client, new_session(formation, start_date=typed))

    assert response.status_code == 302, errors_of(response)
    assert Session.objects.get().start_date == datetime.date(2027, 1, 4)


def test_the_first_of_the_month_may_be_written_1er(client, staff, formation):
    add(client, new_session(formation, end_date="1er juillet 2027"))

    assert Session.objects.get().end_date == datetime.date(2027, 7, 1)


@pytest.mark.parametrize("typed", ["demain", "31/02/2027", "4 brumaire 2027", "32 janvier 2027", "2027/13/01"])
def test_a_date_the_server_cannot_read_is_an_error_on_the_field_and_nothing_is_saved(client, staff, formation, typed):
    response = add(client, new_session(formation, start_date=typed))

    assert response.status_code == 200
    assert errors_of(response) == {"start_date": ["Saisissez une date comme 04/01/2027."]}
    assert not Session.objects.exists()


def test_the_edit_form_shows_dates_the_french_way_and_a_picker_that_replaces_nothing(client, staff, formation):
    session = SessionFactory(formation=formation, start_date=datetime.date(2027, 1, 4))

    content = client.get(reverse("sessions:edit", args=[session.pk])).content.decode()

    assert 'name="start_date" value="04/01/2027"' in content
    # Wagtail's picker would otherwise put today's date in place of any text it cannot read.
    assert '"format": "d/m/Y"' in content
    assert '"validateOnBlur": false' in content


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("50", 5000), ("50,00", 5000), ("49,90", 4990), ("49.9", 4990), ("1 290 €", 129000), ("0", 0), ("", 0)],
)
def test_the_amount_is_typed_in_euros_and_kept_in_cents(client, staff, formation, typed, cents):
    response = add(client, new_session(formation, price_cents=typed))

    assert response.status_code == 302, errors_of(response)
    assert Session.objects.get().price_cents == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("cinquante", "Indiquez un montant en euros, par exemple 150 ou 150,50."),
        ("49,999", "Indiquez un montant en euros, avec au plus deux chiffres après la virgule."),
        ("-5", "Le montant doit être positif."),
        ("5000", None),
    ],
)
def test_an_amount_that_is_not_euros_is_an_error_on_the_field(client, staff, formation, typed, message):
    response = add(client, new_session(formation, price_cents=typed))

    if message is None:  # 5000 is 5 000 €, not 50 € typed in cents
        assert Session.objects.get().price_cents == 500000
        return
    assert errors_of(response) == {"price_cents": [message]}
    assert not Session.objects.exists()


def test_the_edit_form_shows_the_amount_in_euros(client, staff, formation):
    session = SessionFactory(formation=formation, price_cents=4990)

    content = client.get(reverse("sessions:edit", args=[session.pk])).content.decode()

    assert 'name="price_cents" value="49,90"' in content
    assert "Montant à payer (€)" in content


def test_the_sessions_list_shows_dates_not_time_ago(client, staff, formation):
    SessionFactory(
        formation=formation,
        start_date=datetime.date(2027, 1, 4),
        end_date=datetime.date(2027, 6, 30),
        application_deadline=datetime.date(2026, 12, 15),
    )

    content = html.unescape(client.get(reverse("sessions:index")).content.decode())

    for shown in ("04/01/2027", "30/06/2027", "15/12/2026"):
        assert shown in content
    assert "Il y a" not in content and "Dans " not in content


def test_the_sessions_list_filters_by_a_start_date_typed_the_french_way(client, staff, formation):
    SessionFactory(formation=formation, start_date=in_days(10), end_date=in_days(20), application_deadline=in_days(5))
    later = SessionFactory(
        formation=formation, start_date=in_days(100), end_date=in_days(120), application_deadline=in_days(90)
    )

    response = client.get(reverse("sessions:index"), {"start_date_from": in_days(50).strftime("%d/%m/%Y")})

    assert list(response.context["object_list"]) == [later]
