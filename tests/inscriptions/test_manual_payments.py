"""Money received by hand is recorded once: one form sent twice is one payment, and a paid seat takes no other."""

import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from inscriptions import payments
from inscriptions.models import Payment, PaymentMethod, PaymentStatus
from inscriptions.services import Refused
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to


@pytest.fixture
def session():
    return SessionFactory(price_cents=29000)


@pytest.fixture
def staff(client, session):
    user = UserFactory(staff_of=session.campus)
    client.force_login(user)
    return user


@pytest.fixture
def admitted(session, staff):
    return move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)


def manual_url(application):
    return reverse("inscriptions_admin:manual_payment", args=[application.pk])


def cheque(key, amount="290"):
    return {"method": PaymentMethod.CHEQUE, "amount_cents": amount, "key": key}


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_form_carries_a_new_hidden_key_each_time_it_is_shown(client, admitted):
    keys = []
    for _ in range(2):
        page = client.get(reverse("inscriptions_admin:detail", args=[admitted.pk])).content.decode()
        keys += re.findall(r'<input type="hidden" name="key" value="([0-9a-f]{32})"', page)
    assert len(keys) == 2 and keys[0] != keys[1]


def test_a_double_click_records_one_cheque_and_shows_the_first_result(client, admitted):
    key = uuid.uuid4().hex
    first = client.post(manual_url(admitted), cheque(key))
    second = client.post(manual_url(admitted), cheque(key))

    assert first.status_code == second.status_code == 302
    payment = Payment.objects.get(application=admitted)
    assert (payment.amount_cents, payment.status) == (29000, PaymentStatus.PAID)
    assert shown_messages(second)[-1] == (
        "Formulaire déjà envoyé : le paiement de 290,00\u00a0€ (Chèque) compte une seule fois."
    )
    admitted.refresh_from_db()
    assert admitted.status == Status.ENROLLED
    assert admitted.history.filter(to_status=Status.ENROLLED).count() == 1


def test_a_seat_already_paid_refuses_another_payment_and_says_why(client, admitted):
    client.post(manual_url(admitted), cheque(uuid.uuid4().hex))

    response = client.post(manual_url(admitted), cheque(uuid.uuid4().hex))

    assert response.status_code == 200
    assert Payment.objects.filter(application=admitted).count() == 1
    assert any("Cette place est déjà entièrement payée" in message for message in shown_messages(response))


def test_part_payments_are_taken_until_the_amount_is_reached(admitted, staff):
    for amount in (10000, 19000):
        payments.record_manual_payment(
            admitted, amount_cents=amount, method=PaymentMethod.CASH, recorded_by=staff, key=uuid.uuid4().hex
        )
    with pytest.raises(Refused, match="déjà entièrement payée"):
        payments.record_manual_payment(
            admitted, amount_cents=100, method=PaymentMethod.CASH, recorded_by=staff, key=uuid.uuid4().hex
        )
    assert Payment.objects.filter(application=admitted).count() == 2


def test_money_given_back_makes_room_for_a_new_payment(admitted, staff):
    first = payments.record_manual_payment(
        admitted, amount_cents=29000, method=PaymentMethod.CASH, recorded_by=staff, key=uuid.uuid4().hex
    )
    payments.refund_payment(first, amount_cents=29000, reason="Mauvais montant saisi", requested_by=staff)

    again = payments.record_manual_payment(
        admitted, amount_cents=29000, method=PaymentMethod.CHEQUE, recorded_by=staff, key=uuid.uuid4().hex
    )
    assert again.pk != first.pk and not again.was_recorded_before


def test_a_key_used_for_another_application_records_nothing(session, staff, admitted):
    key = uuid.uuid4().hex
    payments.record_manual_payment(admitted, amount_cents=29000, method=PaymentMethod.CASH, recorded_by=staff, key=key)
    other = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)

    with pytest.raises(Refused, match="une autre candidature"):
        payments.record_manual_payment(
            other, amount_cents=29000, method=PaymentMethod.CASH, recorded_by=staff, key=key
        )
    assert not Payment.objects.filter(application=other).exists()


@pytest.mark.parametrize("key", [None, "", "pas-une-cle"])
def test_a_form_without_its_key_records_nothing_and_asks_to_reload(client, admitted, key):
    data = {"method": PaymentMethod.CHEQUE, "amount_cents": "290"}
    if key is not None:
        data["key"] = key

    response = client.post(manual_url(admitted), data)

    assert response.status_code == 200
    assert not Payment.objects.exists()
    assert any("rechargez la page" in message for message in shown_messages(response))
