"""A learner pays for a priced seat from their space; only Stripe's signed event confirms the seat."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from formations.enums import FeeKind
from inscriptions import payments
from inscriptions.models import Payment, PaymentMethod, PaymentStatus, Refund
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to
from tests.inscriptions.stripe_stub import StripeStub

ESPACE = reverse("inscriptions:espace")
UNAVAILABLE = "Le paiement en ligne n’est pas disponible : le campus enregistre votre paiement"


def pay_url(application):
    return reverse("inscriptions:payer", args=[application.pk])


@pytest.fixture
def learner(client):
    learner = LearnerFactory(first_name="Awa")
    client.force_login(learner.user)
    return learner


@pytest.fixture
def paid_session():
    return SessionFactory(capacity=2, price_cents=5000, fee_kind=FeeKind.FEE)


def application_in(session, learner, status):
    application = ApplicationFactory(session=session, learner=learner)
    return move_to(application, status, actor=UserFactory(staff_of=session.campus))


@pytest.fixture
def admitted(paid_session, learner):
    return application_in(paid_session, learner, Status.ADMITTED)


def test_admitted_learner_on_a_paid_session_sees_the_amount_and_a_pay_button(client, admitted):
    page = client.get(ESPACE).content.decode()

    assert "À payer : 50 € de frais de formation" in page
    assert "Payez pour la confirmer." in page
    assert f'action="{pay_url(admitted)}"' in page
    assert "Confirmer ma place" not in page


def test_a_refundable_deposit_is_explained_and_the_hold_shown(client, learner):
    session = SessionFactory(capacity=2, price_cents=12050, fee_kind=FeeKind.DEPOSIT)
    application = application_in(session, learner, Status.ADMITTED)
    hold = timezone.make_aware(datetime.datetime(2031, 3, 4, 18, 30))
    Payment.objects.create(
        application=application,
        amount_cents=12050,
        fee_kind=FeeKind.DEPOSIT,
        method=PaymentMethod.STRIPE,
        hold_expires_at=hold,
    )

    page = client.get(ESPACE).content.decode()

    assert "À payer : 120,50 € de caution remboursable" in page
    assert "vous rend après" in page
    assert "Votre place est réservée jusqu’au 4 mars 2031 à 18:30." in page


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.WAITLISTED, Status.REFUSED])
def test_no_pay_button_before_admission(client, paid_session, learner, status):
    application = application_in(paid_session, learner, status)

    page = client.get(ESPACE).content.decode()

    assert pay_url(application) not in page
    assert "À payer" not in page


def test_no_pay_button_once_paid_and_enrolled_shows_paid(client, admitted):
    payment = payments.record_manual_payment(
        admitted, amount_cents=5000, method=PaymentMethod.CASH, recorded_by=UserFactory()
    )
    Refund.objects.create(payment=payment, amount_cents=2000, reason="Absence justifiée")
    Payment.objects.filter(pk=payment.pk).update(refunded_cents=2000, status=PaymentStatus.PARTIALLY_REFUNDED)

    page = client.get(ESPACE).content.decode()

    admitted.refresh_from_db()
    assert admitted.status == Status.ENROLLED
    assert pay_url(admitted) not in page
    assert "Payé" in page and "50 €" in page
    assert "Remboursé : 20 €." in page
    assert "Absence justifiée" in page


def test_free_session_still_shows_confirm_my_seat(client, learner):
    application = application_in(SessionFactory(capacity=2, price_cents=0), learner, Status.ADMITTED)

    page = client.get(ESPACE).content.decode()

    assert "Confirmer ma place" in page
    assert pay_url(application) not in page
    assert "À payer" not in page


def test_paying_creates_a_pending_payment_and_sends_the_learner_to_stripe(client, admitted, stripe_stub):
    response = client.post(pay_url(admitted))

    payment = Payment.objects.get(application=admitted)
    assert response.status_code == 303
    assert response["Location"] == f"https://checkout.stripe.com/c/pay/{payment.stripe_checkout_session_id}"
    assert payment.status == PaymentStatus.PENDING and payment.amount_cents == 5000
    sent = stripe_stub.requests[0]["data"]
    assert sent["success_url"] == f"http://testserver{reverse('inscriptions:paiement_merci', args=[admitted.pk])}"
    assert sent["cancel_url"] == f"http://testserver{reverse('inscriptions:paiement_annule', args=[admitted.pk])}"
    admitted.refresh_from_db()
    assert admitted.status == Status.ADMITTED


def test_paying_by_get_is_not_allowed(client, admitted, stripe_stub):
    assert client.get(pay_url(admitted)).status_code == 405
    assert not Payment.objects.exists()


def test_without_stripe_keys_the_learner_is_told_the_campus_records_the_payment(client, admitted, settings):
    settings.STRIPE_SECRET_KEY = ""

    page = client.get(ESPACE).content.decode()
    assert UNAVAILABLE in page
    assert pay_url(admitted) not in page
    assert "Confirmer ma place" not in page

    response = client.post(pay_url(admitted), follow=True)
    assert response.redirect_chain == [(ESPACE, 302)]
    assert UNAVAILABLE in response.content.decode()
    assert not Payment.objects.exists()


def test_a_stripe_outage_leaves_no_pending_payment(client, admitted, monkeypatch):
    class Down(StripeStub):
        def request(self, method, url, headers, post_data=None, *, _usage=None):
            return '{"error": {"message": "down"}}', 500, {}

    monkeypatch.setattr(payments, "http_client", Down())

    response = client.post(pay_url(admitted), follow=True)

    assert response.redirect_chain == [(ESPACE, 302)]
    assert "Le paiement en ligne ne répond pas" in response.content.decode()
    assert not Payment.objects.exists()


def test_nothing_to_pay_for_a_free_session(client, learner, stripe_stub):
    application = application_in(SessionFactory(capacity=2, price_cents=0), learner, Status.ADMITTED)

    response = client.post(pay_url(application), follow=True)

    assert "Il n’y a rien à payer pour cette candidature." in response.content.decode()
    assert not Payment.objects.exists() and not stripe_stub.requests


@pytest.mark.parametrize("route", ["payer", "paiement_merci", "paiement_annule"])
def test_another_learners_application_is_a_404(client, learner, paid_session, stripe_stub, route):
    other = application_in(paid_session, LearnerFactory(), Status.ADMITTED)

    response = client.post(reverse(f"inscriptions:{route}", args=[other.pk]))

    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_the_success_page_does_not_enrol(client, admitted, stripe_stub):
    client.post(pay_url(admitted))

    page = client.get(reverse("inscriptions:paiement_merci", args=[admitted.pk])).content.decode()

    assert "Votre paiement est en cours de confirmation" in page
    assert "Admis·e" in page
    admitted.refresh_from_db()
    assert admitted.status == Status.ADMITTED
    assert Payment.objects.get(application=admitted).status == PaymentStatus.PENDING


def test_the_success_page_says_so_once_the_bank_confirmed(client, admitted):
    payments.record_manual_payment(admitted, amount_cents=5000, method=PaymentMethod.CHEQUE, recorded_by=UserFactory())

    page = client.get(reverse("inscriptions:paiement_merci", args=[admitted.pk])).content.decode()

    assert "C’est confirmé" in page and "Inscrit·e" in page


def test_the_cancel_page_says_the_seat_is_still_held_and_offers_to_pay_again(client, admitted, stripe_stub):
    client.post(pay_url(admitted))
    hold = Payment.objects.get(application=admitted).hold_expires_at

    page = client.get(reverse("inscriptions:paiement_annule", args=[admitted.pk])).content.decode()

    local = timezone.localtime(hold)
    assert f"Votre place reste réservée jusqu’au {local.day} " in page
    assert f"à {local:%H:%M}" in page
    assert f'action="{pay_url(admitted)}"' in page


def test_the_formation_page_shows_each_sessions_price(client, campus_index):
    from tests.campus.factories import CampusPageFactory
    from tests.formations.factories import FormationPageFactory

    formation = FormationPageFactory(parent=CampusPageFactory(parent=campus_index))
    SessionFactory(formation=formation, price_cents=0)
    SessionFactory(formation=formation, price_cents=5000, fee_kind=FeeKind.FEE)
    SessionFactory(formation=formation, price_cents=5000, fee_kind=FeeKind.DEPOSIT)

    page = client.get(formation.url).content.decode()

    assert "Gratuit</p>" in page
    assert "50 € de frais</p>" in page
    assert "50 € de caution remboursable</p>" in page


def test_the_pay_form_may_lead_to_stripe_checkout_under_the_csp(client, admitted):
    """Chrome applies form-action to the redirect after a form is sent: without this, « Payer » goes nowhere."""
    policy = client.get(ESPACE)["Content-Security-Policy"]

    form_action = next(part for part in policy.split(";") if part.strip().startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", "https://checkout.stripe.com"]
    assert "checkout.stripe.com" not in client.get(reverse("inscriptions:profil"))["Content-Security-Policy"]
