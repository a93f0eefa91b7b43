"""The reconciliation export: the payments listed, as CSV or XLSX, with the list's filters and campus scope."""

import csv
import datetime
import decimal
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from inscriptions.models import Payment, PaymentMethod, PaymentStatus, Refund
from inscriptions.resources import PaymentResource
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory

HEADERS = [
    "Date",
    "Candidat·e",
    "Formation",
    "Session",
    "Campus",
    "Montant (€)",
    "Nature",
    "Moyen de paiement",
    "État",
    "Session Stripe Checkout",
    "Paiement Stripe (payment intent)",
    "Remboursé (€)",
    "Remboursements",
    "Payé le",
]
EXPORT_URL = reverse("inscriptions_admin:payments_export")


@pytest.fixture
def session_a():
    return SessionFactory(
        formation__title="Développeur web et web mobile",
        price_cents=15000,
        start_date=datetime.date(2027, 1, 4),
        end_date=datetime.date(2027, 4, 2),
        application_deadline=datetime.date(2026, 12, 20),
    )


@pytest.fixture
def staff_a(client, session_a):
    user = UserFactory(staff_of=session_a.campus)
    client.force_login(user)
    return user


@pytest.fixture
def online(session_a, staff_a):
    application = ApplicationFactory(session=session_a, learner__first_name="Inès", learner__last_name="Moreau")
    payment = Payment.objects.create(
        application=application,
        amount_cents=15000,
        fee_kind=session_a.fee_kind,
        method=PaymentMethod.STRIPE,
        status=PaymentStatus.PARTIALLY_REFUNDED,
        refunded_cents=5000,
        paid_at=timezone.now(),
        stripe_checkout_session_id="cs_test_a",
        stripe_payment_intent_id="pi_test_a",
    )
    Refund.objects.create(payment=payment, amount_cents=5000, reason="Abandon justifié", requested_by=staff_a)
    return payment


@pytest.fixture
def cash(session_a):
    application = ApplicationFactory(session=session_a, learner__first_name="=HYPERLINK(1)", learner__last_name="X")
    return Payment.objects.create(
        application=application,
        amount_cents=12050,
        fee_kind=session_a.fee_kind,
        method=PaymentMethod.CASH,
        status=PaymentStatus.PAID,
        paid_at=timezone.now(),
    )


@pytest.fixture
def other_campus():
    application = ApplicationFactory(
        session=SessionFactory(price_cents=8000), learner=LearnerFactory(last_name="Autrecampus")
    )
    return Payment.objects.create(
        application=application,
        amount_cents=8000,
        fee_kind="frais",
        method=PaymentMethod.STRIPE,
        status=PaymentStatus.PAID,
        paid_at=timezone.now(),
        stripe_checkout_session_id="cs_test_b",
        stripe_payment_intent_id="pi_test_b",
    )


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_export_has_french_headers_and_one_row_per_visible_payment(client, online, cash, other_campus):
    response = client.get(EXPORT_URL, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="paiements-' in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == HEADERS
    by_intent = {row[10]: row for row in rows}
    assert set(by_intent) == {"pi_test_a", ""}
    row = by_intent["pi_test_a"]
    assert row[1] == "Inès Moreau"
    assert row[2] == "Développeur web et web mobile"
    assert row[3] == "du 04/01/2027 au 02/04/2027"
    assert row[4] == online.application.campus.title
    assert (row[5], row[7], row[8], row[9]) == (
        "150.00",
        "Paiement en ligne (Stripe)",
        "Remboursé en partie",
        "cs_test_a",
    )
    assert row[11] == "50.00"
    assert "Abandon justifié" in row[12]


def test_a_formula_at_the_start_of_a_cell_is_neutralised(client, staff_a, cash):
    [_header, row] = read_csv(client.get(EXPORT_URL, {"format": "csv"}))
    assert row[1] == "'=HYPERLINK(1) X"


@pytest.mark.parametrize("value", ["=1+1", "+33 6", "-2", "@SUM(A1)"])
def test_every_formula_start_gets_an_apostrophe(value):
    from inscriptions.resources import neutralise_formula

    assert neutralise_formula(value) == f"'{value}"
    assert neutralise_formula(decimal.Decimal("-1.00")) == decimal.Decimal("-1.00")


def test_the_export_follows_the_list_filters(client, online, cash):
    header, *rows = read_csv(client.get(EXPORT_URL, {"format": "csv", "method": "especes"}))
    assert [row[7] for row in rows] == ["Espèces"]


def test_the_xlsx_export_reads_back(client, online, cash, other_campus):
    response = client.get(EXPORT_URL, {"format": "xlsx"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == HEADERS
    assert len(rows) == 2
    names = {row[1] for row in rows}
    assert names == {"Inès Moreau", "'=HYPERLINK(1) X"}
    amounts = sorted(row[5] for row in rows)
    assert [decimal.Decimal(str(amount)) for amount in amounts] == [decimal.Decimal("120.50"), decimal.Decimal("150")]


def test_the_export_needs_the_payment_permission(client, online):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(EXPORT_URL, {"format": "csv"}).status_code in {302, 403}


def test_a_superuser_exports_every_campus(client, online, other_campus):
    client.force_login(UserFactory(superuser=True))
    header, *rows = read_csv(client.get(EXPORT_URL, {"format": "csv"}))
    assert {row[10] for row in rows} == {"pi_test_a", "pi_test_b"}


def test_the_resource_runs_a_constant_number_of_queries(django_assert_max_num_queries, online, cash):
    queryset = (
        Payment.objects.select_related(
            "application__learner", "application__session__formation", "application__campus"
        )
        .prefetch_related("refunds")
        .order_by("pk")
    )
    with django_assert_max_num_queries(3):
        PaymentResource().export(queryset=queryset)
