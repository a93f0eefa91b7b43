"""The funders' portal, the period of the figures.

Read as typed within the agreement, explained when wrong, offered ready-made (the agreement, its years, their
quarters), and shown back in the date pickers' format.
"""

import datetime

import pytest

from financeurs.forms import PeriodForm
from financeurs.indicators import Period
from tests.financeurs.factories import AgreementFactory
from tests.financeurs.portal.pages import dashboard_url, soup


def test_without_a_period_the_figures_cover_the_whole_agreement(agreement_a):
    form = PeriodForm(agreement=agreement_a, data={})

    assert not form.is_bound
    assert form.period == Period(start=datetime.date(2026, 1, 1), end=datetime.date(2027, 6, 30))
    assert form["debut"].value() == datetime.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"debut": "01/04/2026", "fin": "30/06/2026"}, (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))),
        ({"debut": "2026-04-01", "fin": "2026-06-30"}, (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))),
        ({"debut": "2026-04-01", "fin": ""}, (datetime.date(2026, 4, 1), datetime.date(2027, 6, 30))),
        ({"debut": "", "fin": "31/12/2026"}, (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))),
        ({"debut": "2026-05-12", "fin": "2026-05-12"}, (datetime.date(2026, 5, 12), datetime.date(2026, 5, 12))),
    ],
)
def test_a_period_within_the_agreement_is_read_as_typed(agreement_a, data, expected):
    form = PeriodForm(agreement=agreement_a, data=data)

    assert form.is_valid(), form.errors
    assert (form.period.start, form.period.end) == expected


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"debut": "2025-12-31", "fin": "2026-03-31"},
            "debut",
            "Choisissez une date entre le 01/01/2026 et le 30/06/2027, la période de la convention.",
        ),
        (
            {"debut": "2026-01-01", "fin": "2027-07-01"},
            "fin",
            "Choisissez une date entre le 01/01/2026 et le 30/06/2027, la période de la convention.",
        ),
        ({"debut": "2026-06-30", "fin": "2026-04-01"}, "fin", "La fin de la période doit venir après son début."),
        ({"debut": "31/02/2026", "fin": ""}, "debut", "Saisissez une date valide, par exemple 31/12/2026."),
        ({"debut": "demain", "fin": ""}, "debut", "Saisissez une date valide, par exemple 31/12/2026."),
    ],
)
def test_a_wrong_period_is_explained_and_the_whole_agreement_shown(
    client, funder_a, agreement_a, data, field, message
):
    form = PeriodForm(agreement=agreement_a, data=data)
    assert form.errors == {field: [message]}
    assert form.period == Period.of_agreement(agreement_a)

    client.force_login(funder_a)
    response = client.get(dashboard_url(agreement_a, **data))

    assert response.status_code == 200
    page = soup(response)
    assert page.find(id=f"id_{field}_erreur").get_text(strip=True) == message
    assert page.find(id=f"id_{field}")["aria-invalid"] == "true"
    assert f"id_{field}_erreur" in page.find(id=f"id_{field}")["aria-describedby"]
    assert page.find(class_="error-summary").find("a")["href"] == f"#id_{field}"
    assert page.find(id="indicateurs-titre").get_text(strip=True) == "Indicateurs du 1 janvier 2026 au 30 juin 2027"


def test_ready_made_periods_are_the_agreement_its_years_and_their_quarters(client, funder_a, agreement_a):
    client.force_login(funder_a)

    page = soup(client.get(dashboard_url(agreement_a, debut="2026-04-01", fin="2026-06-30")))

    links = page.find("ul", class_="period-choices").find_all("a")
    assert [(link.get_text(strip=True), link["href"], link.get("aria-current")) for link in links] == [
        ("Toute la convention", "?debut=2026-01-01&fin=2027-06-30", None),
        ("Année 2026", "?debut=2026-01-01&fin=2026-12-31", None),
        ("T1 2026", "?debut=2026-01-01&fin=2026-03-31", None),
        ("T2 2026", "?debut=2026-04-01&fin=2026-06-30", "true"),
        ("T3 2026", "?debut=2026-07-01&fin=2026-09-30", None),
        ("T4 2026", "?debut=2026-10-01&fin=2026-12-31", None),
        # The last year is cut to the agreement's end.
        ("Année 2027", "?debut=2027-01-01&fin=2027-06-30", None),
        ("T1 2027", "?debut=2027-01-01&fin=2027-03-31", None),
        ("T2 2027", "?debut=2027-04-01&fin=2027-06-30", None),
    ]


def test_quarters_are_cut_to_an_agreement_that_starts_mid_quarter(campus):
    agreement = AgreementFactory(
        campuses=[campus], start_date=datetime.date(2026, 2, 15), end_date=datetime.date(2026, 8, 10)
    )

    choices = PeriodForm(agreement=agreement, data=None).quick_choices()

    assert choices["whole"]["current"] is True
    (year,) = choices["years"]
    # The year, cut to the agreement, is the whole agreement: offered once, under that name.
    assert year["query"] is None
    assert [(q["label"], q["query"]) for q in year["quarters"]] == [
        ("T1 2026", "debut=2026-02-15&fin=2026-03-31"),
        ("T2 2026", "debut=2026-04-01&fin=2026-06-30"),
        ("T3 2026", "debut=2026-07-01&fin=2026-08-10"),
    ]


def test_a_period_typed_the_french_way_is_shown_back_in_the_date_pickers_format(client, funder_a, agreement_a):
    client.force_login(funder_a)

    page = soup(client.get(dashboard_url(agreement_a, debut="01/04/2026", fin="30/06/2026")))

    assert (page.find(id="id_debut")["value"], page.find(id="id_fin")["value"]) == ("2026-04-01", "2026-06-30")
    assert page.find(id="indicateurs-titre").get_text(strip=True) == "Indicateurs du 1 avril 2026 au 30 juin 2026"
