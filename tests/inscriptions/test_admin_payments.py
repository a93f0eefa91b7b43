"""Payments in the staff's back office: the list, money received by hand, refunds, and campus scoping."""

import datetime
import uuid

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inscriptions import refunds
from inscriptions.models import Payment, PaymentMethod, PaymentStatus, Refund, RefundState
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to, paid_online


@pytest.fixture
def session_a():
    return SessionFactory(formation__title="Développeur web et web mobile", price_cents=15000)


@pytest.fixture
def session_b():
    return SessionFactory(formation__title="Technicien supérieur systèmes et réseaux", price_cents=8000)


@pytest.fixture
def staff_a(client, session_a):
    user = UserFactory(staff_of=session_a.campus, first_name="Awa", last_name="Diallo")
    client.force_login(user)
    return user


@pytest.fixture
def admitted(session_a, staff_a):
    application = ApplicationFactory(session=session_a, learner__first_name="Inès", learner__last_name="Moreau")
    return move_to(application, Status.ADMITTED, actor=staff_a)


def paid_in_cash(application, amount_cents=15000):
    return Payment.objects.create(
        application=application,
        amount_cents=amount_cents,
        fee_kind=application.session.fee_kind,
        method=PaymentMethod.CASH,
        status=PaymentStatus.PAID,
        paid_at=timezone.now(),
    )


@pytest.fixture
def payment_b(session_b):
    application = ApplicationFactory(session=session_b, learner=LearnerFactory(last_name="Autrecampus"))
    return paid_online(application, amount_cents=8000, intent="pi_test_b")


def detail_url(application):
    return reverse("inscriptions_admin:detail", args=[application.pk])


def refund_url(payment):
    return reverse("inscriptions_admin:refund", args=[payment.application_id, payment.pk])


def manual_data(method, typed):
    """What the staff's form sends: the method, the amount typed, and the one-time key it was shown with."""
    return {"method": method, "amount_cents": typed, "key": uuid.uuid4().hex}


def manual_url(application):
    return reverse("inscriptions_admin:manual_payment", args=[application.pk])


def refund_data(payment, amount, reason="Annulation avant le début de la formation"):
    return {f"refund-{payment.pk}-amount_cents": amount, f"refund-{payment.pk}-reason": reason}


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Nobody sees another campus's payments ------------------------------------------------------


def test_staff_of_another_campus_never_see_its_payments_in_the_list(client, staff_a, admitted, payment_b):
    paid_online(admitted)

    response = client.get(reverse("inscriptions_admin:payments"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Moreau" in content and "pi_test_a" in content
    assert "Autrecampus" not in content and "pi_test_b" not in content


def test_staff_of_another_campus_get_404_on_its_refund_and_manual_payment(client, staff_a, payment_b, stripe_stub):
    assert client.get(detail_url(payment_b.application)).status_code == 404
    assert client.post(refund_url(payment_b), refund_data(payment_b, "80")).status_code == 404
    assert client.post(manual_url(payment_b.application), manual_data("especes", "80")).status_code == 404
    assert not Refund.objects.exists() and Payment.objects.count() == 1
    assert stripe_stub.requests == []


def test_a_payment_of_another_application_is_a_404(client, staff_a, admitted, payment_b):
    # The payment is looked up among the application's own, never by its id alone.
    url = reverse("inscriptions_admin:refund", args=[admitted.pk, payment_b.pk])
    assert client.post(url, refund_data(payment_b, "80")).status_code == 404


def test_the_payments_list_needs_the_payment_permission(client, admitted):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("inscriptions_admin:payments"))
    assert response.status_code in {302, 403}


def test_a_superuser_sees_every_campus(client, admitted, payment_b):
    paid_online(admitted)
    client.force_login(UserFactory(superuser=True))
    content = client.get(reverse("inscriptions_admin:payments")).content.decode()
    assert "pi_test_a" in content and "pi_test_b" in content


def test_the_list_filters_by_method(client, staff_a, admitted):
    paid_online(admitted)
    paid_in_cash(admitted, amount_cents=1234)
    content = client.get(reverse("inscriptions_admin:payments"), {"method": "especes"}).content.decode()
    assert "12,34" in content and "pi_test_a" not in content


def test_the_list_runs_the_same_number_of_queries_for_3_or_30_payments(client, staff_a, session_a):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("inscriptions_admin:payments")).status_code == 200
        return len(queries)

    def add(number):
        for index in range(number):
            payment = paid_in_cash(ApplicationFactory(session=session_a))
            Refund.objects.create(payment=payment, amount_cents=100, reason=f"Geste {index}")

    add(3)
    few = count()
    add(27)
    assert count() == few


# --- The detail page ----------------------------------------------------------------------------


def test_the_detail_page_lists_payments_and_offers_the_forms(client, staff_a, admitted):
    payment = paid_online(admitted)
    Refund.objects.create(payment=payment, amount_cents=5000, reason="Abandon justifié", requested_by=staff_a)

    response = client.get(detail_url(admitted))

    content = response.content.decode()
    assert "Enregistrer un paiement reçu hors ligne" in content
    assert "pi_test_a" in content and "Abandon justifié" in content
    assert "150,00" in content and "50,00" in content
    assert f'name="refund-{payment.pk}-amount_cents"' in content
    assert response.context["manual_payment_form"].initial == {"amount_cents": 15000}
    assert response.context["payment_rows"][0]["refund_form"].initial == {"amount_cents": 10000}


def test_a_free_session_has_no_payments_section(client, staff_a, session_a):
    application = ApplicationFactory(session=SessionFactory(formation=session_a.formation, price_cents=0))
    response = client.get(detail_url(application))
    assert response.status_code == 200
    assert 'id="paiements"' not in response.content.decode()


# --- Money received by hand ---------------------------------------------------------------------


@pytest.mark.parametrize("typed, cents", [("150", 15000), ("150,50", 15050), ("1 200,00", 120000), ("99.9", 9990)])
def test_a_manual_payment_enrols_an_admitted_learner_and_writes_history(client, staff_a, admitted, typed, cents):
    response = client.post(manual_url(admitted), manual_data(PaymentMethod.CHEQUE, typed))

    assert response.status_code == 302
    payment = Payment.objects.get(application=admitted)
    assert (payment.amount_cents, payment.method, payment.status) == (cents, PaymentMethod.CHEQUE, PaymentStatus.PAID)
    assert payment.recorded_by == staff_a
    admitted.refresh_from_db()
    assert admitted.status == Status.ENROLLED
    assert "Chèque" in admitted.history.last().comment
    page = client.get(detail_url(admitted)).content.decode()
    assert "Paiement reçu" in page and "Awa Diallo" in page


@pytest.mark.parametrize("typed", ["", "abc", "0", "-5", "12,345"])
def test_a_wrong_amount_is_refused(client, staff_a, admitted, typed):
    response = client.post(manual_url(admitted), manual_data(PaymentMethod.CASH, typed))
    assert response.status_code == 200
    assert response.context["manual_payment_form"].errors
    assert not Payment.objects.exists()


def test_an_online_payment_cannot_be_recorded_by_hand(client, staff_a, admitted):
    response = client.post(manual_url(admitted), manual_data(PaymentMethod.STRIPE, "150"))
    assert response.status_code == 200
    assert not Payment.objects.exists()


# --- Refunds ------------------------------------------------------------------------------------


def test_a_full_refund_goes_through_stripe(client, staff_a, admitted, stripe_stub):
    payment = paid_online(admitted)

    response = client.post(refund_url(payment), refund_data(payment, "150,00"))

    assert response.status_code == 302
    [request] = stripe_stub.requests
    assert request["url"].endswith("/v1/refunds")
    assert request["data"]["payment_intent"] == "pi_test_a" and request["data"]["amount"] == "15000"
    # The reason is the staff's free text, which may name the person: it stays with us, where erasure reaches it.
    assert not any("reason" in key or "Annulation" in str(value) for key, value in request["data"].items())
    refund = Refund.objects.get()
    assert (refund.amount_cents, refund.requested_by, refund.stripe_refund_id) == (15000, staff_a, "re_test_1")
    assert "Remboursement de 150,00" in message_texts(response)[0]
    page = client.get(detail_url(admitted)).content.decode()
    assert "Annulation avant le début de la formation" in page


def test_a_partial_refund_goes_through_stripe_then_the_rest_is_offered(client, staff_a, admitted, stripe_stub):
    payment = paid_online(admitted)

    client.post(refund_url(payment), refund_data(payment, "50"))

    assert stripe_stub.requests[0]["data"]["amount"] == "5000"
    response = client.get(detail_url(admitted))
    assert response.context["payment_rows"][0]["refund_form"].initial == {"amount_cents": 10000}


def test_a_cash_payment_is_refunded_by_recording_it(client, staff_a, admitted, stripe_stub):
    payment = paid_in_cash(admitted)

    client.post(refund_url(payment), refund_data(payment, "40", reason="Caution rendue en fin de formation"))

    payment.refresh_from_db()
    assert (payment.refunded_cents, payment.status) == (4000, PaymentStatus.PARTIALLY_REFUNDED)
    assert Refund.objects.get().reason == "Caution rendue en fin de formation"
    assert stripe_stub.requests == []


def test_a_refund_over_the_amount_paid_is_refused(client, staff_a, admitted, stripe_stub):
    payment = paid_online(admitted)

    response = client.post(refund_url(payment), refund_data(payment, "150,01"))

    assert response.status_code == 200
    assert "Le remboursement dépasse ce qui a été payé." in message_texts(response)
    assert not Refund.objects.exists() and stripe_stub.requests == []


def test_a_refund_needs_a_reason(client, staff_a, admitted, stripe_stub):
    payment = paid_online(admitted)

    response = client.post(refund_url(payment), refund_data(payment, "10", reason="   "))

    assert response.status_code == 200
    assert response.context["refund_form_for"][1].errors["reason"]
    assert not Refund.objects.exists() and stripe_stub.requests == []


def test_a_refund_stripe_refuses_is_kept_as_owed_shown_and_sent_again(client, staff_a, admitted, stripe_stub):
    payment = paid_online(admitted)
    stripe_stub.fail_next("500")

    response = client.post(refund_url(payment), refund_data(payment, "10"))

    assert response.status_code == 302
    [message] = message_texts(response)
    assert message.startswith("Stripe n’a pas pu faire le remboursement de 10,00")
    assert "Stripe est en panne en ce moment (erreur 500)." in message
    assert "sera envoyé de nouveau automatiquement" in message
    refund = Refund.objects.get()
    assert (refund.state, refund.attempts, refund.requested_by) == (RefundState.OWED, 1, staff_a)
    page = client.get(detail_url(admitted))
    assert "Remboursement : Dû, 1 essai(s) refusé(s) : Stripe est en panne" in page.content.decode()
    # What is owed is not offered again: only the rest can be refunded.
    assert page.context["payment_rows"][0]["refund_form"].initial == {"amount_cents": 14000}

    refunds.send_owed_refunds(now=timezone.now() + datetime.timedelta(minutes=6))

    refund.refresh_from_db()
    assert refund.state == RefundState.CONFIRMED and refund.stripe_refund_id.startswith("re_test_")
    first, second = [request for request in stripe_stub.requests if request["method"] == "post"]
    assert first["headers"]["Idempotency-Key"] == second["headers"]["Idempotency-Key"] == refund.idempotency_key


def test_a_refund_over_what_is_already_owed_is_refused(client, staff_a, admitted, stripe_stub):
    payment = paid_online(admitted)
    stripe_stub.fail_next("timeout")
    client.post(refund_url(payment), refund_data(payment, "150"))

    response = client.post(refund_url(payment), refund_data(payment, "1"))

    assert "Le remboursement dépasse ce qui a été payé." in message_texts(response)
    assert Refund.objects.count() == 1 and len(stripe_stub.requests) == 1


def test_the_list_shows_each_refund_state_and_filters_on_it(client, staff_a, admitted, session_a, settings):
    settings.REFUND_ALERT_AFTER_ATTEMPTS = 3
    failing = paid_online(admitted)
    Refund.objects.create(
        payment=failing,
        amount_cents=15000,
        reason="Place plus disponible",
        state=RefundState.OWED,
        attempts=3,
        last_error="Stripe n’a pas répondu à temps (connexion coupée ou trop lente).",
    )
    done = paid_in_cash(ApplicationFactory(session=session_a, learner__last_name="Rembourséeàlheure"))
    Refund.objects.create(payment=done, amount_cents=1000, reason="Geste")

    content = client.get(reverse("inscriptions_admin:payments")).content.decode()

    assert "Remboursement" in content
    assert "Dû, échoue, 3 essai(s) refusé(s) : Stripe n’a pas répondu à temps" in content
    assert "10,00\u00a0€ : Confirmé" in content
    owed_only = client.get(reverse("inscriptions_admin:payments"), {"refund_state": "owed"}).content.decode()
    assert "Moreau" in owed_only and "Rembourséeàlheure" not in owed_only


def test_filtering_on_the_refund_state_counts_each_refund_once(client, staff_a, admitted):
    payment = paid_in_cash(admitted)
    Refund.objects.create(payment=payment, amount_cents=1000, reason="Geste")
    Refund.objects.create(payment=payment, amount_cents=2000, reason="Caution")
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.PARTIALLY_REFUNDED, refunded_cents=3000)

    response = client.get(reverse("inscriptions_admin:payments"), {"refund_state": ["confirmed", "owed"]})

    [row] = response.context["object_list"]
    assert row.pk == payment.pk
    content = response.content.decode()
    assert "30,00\u00a0€" in content and "60,00" not in content


def test_the_download_buttons_keep_the_current_filters(client, staff_a, admitted):
    content = client.get(reverse("inscriptions_admin:payments"), {"method": "especes", "p": "2"}).content.decode()
    export_url = reverse("inscriptions_admin:payments_export")
    assert f"{export_url}?method=especes&amp;format=csv" in content
    assert f"{export_url}?method=especes&amp;format=xlsx" in content


def test_the_payments_menu_item_is_shown_to_campus_staff(client, staff_a):
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("inscriptions_admin:payments") in content
