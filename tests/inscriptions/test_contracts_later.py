"""A contract signed at exit that starts later (a CDI next month) is recorded with its signature date; one rule for
the staff's form, the service, the imports and the survey."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from home.spreadsheets import read_table
from inscriptions.enums import FollowUpMilestone, Placement
from inscriptions.imports import FollowUpImport
from inscriptions.models import FollowUp, add_months, follow_up_date_errors
from inscriptions.services import Refused, record_follow_up
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory
from tests.transferts.test_import_reading import csv_bytes

TODAY = timezone.localdate()
NEXT_MONTH = add_months(TODAY, 1)
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def staff(session):
    return UserFactory(staff_of=session.campus)


@pytest.fixture
def completed(session):
    return ApplicationFactory(session=session, status=Status.COMPLETED, left_on=TODAY)


# --- The rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize("placement", Placement.contracts())
def test_a_signed_contract_may_start_later(placement):
    assert follow_up_date_errors(placement, NEXT_MONTH, YESTERDAY, TODAY) == {}


@pytest.mark.parametrize(
    ("placement", "start_date", "signed_on", "field", "reason"),
    [
        (Placement.CDI, NEXT_MONTH, None, "signed_on", "indiquez la date de signature"),
        (Placement.CDI, NEXT_MONTH, TOMORROW, "signed_on", "signature ne peut pas être dans le futur"),
        (Placement.CDI, YESTERDAY, TOMORROW, "signed_on", "signature ne peut pas être dans le futur"),
        (Placement.TRAINING, NEXT_MONTH, None, "start_date", "sauf pour un contrat signé"),
        (Placement.INTERNSHIP, TOMORROW, YESTERDAY, "signed_on", "seulement pour un contrat"),
        (Placement.JOB_SEEKING, YESTERDAY, YESTERDAY, "signed_on", "seulement pour un contrat"),
    ],
)
def test_dates_a_follow_up_cannot_have(placement, start_date, signed_on, field, reason):
    errors = follow_up_date_errors(placement, start_date, signed_on, TODAY)

    assert reason in str(errors[field])


def test_dates_of_the_past_need_no_signature():
    assert follow_up_date_errors(Placement.CDI, YESTERDAY, None, TODAY) == {}
    assert follow_up_date_errors(Placement.TRAINING, TODAY, None, TODAY) == {}


# --- The service --------------------------------------------------------------------------------


def test_the_service_records_a_cdi_starting_next_month_with_its_signature(completed, staff):
    follow_up = record_follow_up(
        completed,
        FollowUpMilestone.EXIT,
        placement=Placement.CDI,
        recorded_by=staff,
        start_date=NEXT_MONTH,
        signed_on=TODAY,
    )

    assert (follow_up.start_date, follow_up.signed_on, follow_up.is_positive) == (NEXT_MONTH, TODAY, True)


def test_the_service_refuses_a_later_start_without_signature(completed, staff):
    with pytest.raises(Refused, match="indiquez la date de signature"):
        record_follow_up(
            completed, FollowUpMilestone.EXIT, placement=Placement.CDI, recorded_by=staff, start_date=NEXT_MONTH
        )

    assert not FollowUp.objects.exists()


# --- The staff's form, at the bottom of a long page ---------------------------------------------


def follow_up_url(application):
    return reverse("inscriptions_admin:follow_up", args=[application.pk])


def test_staff_record_at_exit_a_cdi_that_starts_next_month(client, completed, staff):
    client.force_login(staff)

    response = client.post(
        follow_up_url(completed),
        {
            "milestone": FollowUpMilestone.EXIT,
            "placement": Placement.CDI,
            "employer": "Coopérative numérique",
            "start_date": NEXT_MONTH.strftime("%d/%m/%Y"),
            "signed_on": TODAY.isoformat(),
        },
    )

    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.placement, follow_up.start_date, follow_up.signed_on) == (Placement.CDI, NEXT_MONTH, TODAY)
    page = client.get(reverse("inscriptions_admin:detail", args=[completed.pk])).content.decode()
    assert f"contrat signé le {TODAY:%d/%m/%Y}" in page


def test_the_follow_up_form_loads_the_date_pickers_script(client, completed, staff):
    """Its date fields' own scripts call the picker's: without it on the page, no picker opens and they fail."""
    client.force_login(staff)

    page = client.get(reverse("inscriptions_admin:detail", args=[completed.pk])).content.decode()

    assert 'initDateChooser("id_signed_on"' in page
    assert page.index("wagtailadmin/js/date-time-chooser.js") < page.index('initDateChooser("id_start_date"')


def test_a_later_start_without_signature_is_shown_at_the_top_with_a_link_to_the_field(client, completed, staff):
    client.force_login(staff)

    response = client.post(
        follow_up_url(completed),
        {
            "milestone": FollowUpMilestone.EXIT,
            "placement": Placement.CDI,
            "start_date": NEXT_MONTH.isoformat(),
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    summary = page.index('class="error-summary"')
    assert summary < page.index('id="statut"')  # above everything else on the page
    link = page.index('href="#id_signed_on"', summary)
    assert "indiquez la date de signature" in page[link : page.index("</ul>", summary)]
    assert not FollowUp.objects.exists()


# --- Imports ------------------------------------------------------------------------------------

HEADER = ["N° de candidature", "Moment", "Situation", "Employeur ou organisme", "Depuis le", "Signé le"]


def prepare(rows, campus, staff):
    return FollowUpImport(campus=campus, user=staff).prepare(read_table(csv_bytes(rows), "suivis.csv"))


def test_an_import_takes_a_signed_contract_that_starts_later(session, completed, staff):
    row = [str(completed.pk), "sortie", "CDI", "Atelier", f"{NEXT_MONTH:%d/%m/%Y}", f"{YESTERDAY:%d/%m/%Y}"]

    plan = prepare([HEADER, row], session.campus, staff)

    assert plan.errors == []
    (follow_up,) = plan.to_create
    assert (follow_up.start_date, follow_up.signed_on) == (NEXT_MONTH, YESTERDAY)


@pytest.mark.parametrize(
    ("placement", "signed", "column", "reason"),
    [
        ("CDI", "", "signé le", "indiquez la date de signature"),
        ("Stage", "", "depuis le", "sauf pour un contrat signé"),
        ("CDI", f"{TOMORROW:%d/%m/%Y}", "signé le", "ne peut pas être dans le futur"),
    ],
)
def test_an_import_applies_the_same_rule(session, completed, staff, placement, signed, column, reason):
    row = [str(completed.pk), "sortie", placement, "Atelier", f"{NEXT_MONTH:%d/%m/%Y}", signed]

    plan = prepare([HEADER, row], session.campus, staff)

    (error,) = [str(error) for error in plan.errors]
    assert error.startswith(f"Ligne 2, colonne « {column} »")
    assert reason in error
