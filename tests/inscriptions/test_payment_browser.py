"""In a real Chromium: a learner clicks « Payer », pays on a local stand-in for Stripe Checkout, comes back enrolled.

The stand-in does what Stripe does, over real HTTP: it shows a payment page, then sends the signed
checkout.session.completed event to the webhook before sending the learner back to the success URL.
"""

import http.server
import json
import threading
import urllib.request

import pytest
import stripe
from django.urls import reverse
from playwright.sync_api import expect

from formations.enums import FeeKind
from inscriptions import payments, views
from inscriptions.models import Payment, PaymentStatus, StripeEvent
from inscriptions.workflow import Status
from tests.accessibility import Auditor
from tests.browsing import browsing_and_auditing
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to
from tests.inscriptions.stripe_stub import StripeStub, event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 360, "height": 740}
WEBHOOK_SECRET = "whsec_test_tremplin"


class StandInStripe(StripeStub):
    """Stripe's API, answering with checkout pages served by the stand-in, and remembering where to come back."""

    def __init__(self, checkout_origin):
        super().__init__()
        self.checkout_origin = checkout_origin
        self.sessions = {}

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        body, status, response_headers = super().request(method, url, headers, post_data, _usage=_usage)
        if url.endswith("/v1/checkout/sessions") and status == 200:
            checkout = json.loads(body)
            checkout["url"] = f"{self.checkout_origin}/pay/{checkout['id']}"
            self.sessions[checkout["id"]] = self.requests[-1]["data"]
            body = json.dumps(checkout)
        return body, status, response_headers


def stand_in_checkout(webhook_url):
    """A tiny checkout page on 127.0.0.1: GET shows the amount, POST pays, tells the webhook, and goes back."""

    class Handler(http.server.BaseHTTPRequestHandler):
        stub = None

        def checkout_id(self):
            stub = self.stub
            parts = self.path.strip("/").split("/")
            return parts[1] if len(parts) == 2 and parts[0] == "pay" and parts[1] in stub.sessions else None

        def do_GET(self):
            checkout_id = self.checkout_id()
            if checkout_id is None:
                self.send_error(404)
                return
            stub = self.stub
            amount = int(stub.sessions[checkout_id]["line_items[0][price_data][unit_amount]"])
            euros = f"{amount // 100},{amount % 100:02d} €"
            html = (
                '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Paiement</title></head>'
                f'<body><h1>Paiement</h1><form method="post" action="/pay/{checkout_id}">'
                f'<button type="submit">Payer {euros}</button></form></body></html>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def do_POST(self):
            checkout_id = self.checkout_id()
            if checkout_id is None:
                self.send_error(404)
                return
            stub = self.stub
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            completed = event(
                "checkout.session.completed",
                {
                    "id": checkout_id,
                    "object": "checkout.session",
                    "payment_status": "paid",
                    "payment_intent": f"pi_{checkout_id}",
                },
            )
            payload = json.dumps(completed)
            signature = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
            request = urllib.request.Request(
                webhook_url,
                data=payload.encode(),
                headers={"Content-Type": "application/json", "Stripe-Signature": signature},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                stub.webhook_statuses.append(answer.status)
            self.send_response(303)
            self.send_header("Location", stub.sessions[checkout_id]["success_url"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def checkout_server(live_server, monkeypatch):
    """The stand-in, running for the test; Stripe's API answers with its pages."""
    holder = {}
    server = stand_in_checkout(f"{live_server.url}/paiements/stripe/webhook/")
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    stub = StandInStripe(origin)
    stub.webhook_statuses = []
    server.RequestHandlerClass.stub = stub
    holder.update(server=server, stub=stub, origin=origin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setattr(payments, "http_client", stub)
        # The learner's space lets its « Payer » form lead to the checkout page: here, the stand-in's.
        monkeypatch.setitem(views.CHECKOUT_FORM_ACTION, "form-action", [origin])
        yield holder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def admitted(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus de Saint-Denis")
    formation = FormationPageFactory(parent=campus, title="Développeur·se web")
    session = SessionFactory(formation=formation, capacity=2, price_cents=5000, fee_kind=FeeKind.FEE)
    learner = LearnerFactory(first_name="Awa")
    application = ApplicationFactory(session=session, learner=learner)
    return move_to(application, Status.ADMITTED, actor=UserFactory(staff_of=session.campus))


@pytest.fixture
def contexts(new_context, live_server, admitted):
    """The learner's phone (JavaScript off, already logged in), and an auditor's context for axe."""
    return browsing_and_auditing(new_context, live_server, admitted.learner.user, PHONE)


def test_a_learner_pays_on_the_checkout_page_and_comes_back_enrolled(contexts, live_server, admitted, checkout_server):
    page, auditor = contexts[0].new_page(), Auditor(contexts[1])
    session, formation = admitted.session, admitted.session.formation
    session.refresh_from_db()
    assert session.seats_taken == 1  # held since the admission

    page.goto(f"{live_server.url}{reverse('inscriptions:espace')}")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", level=3, name=formation.title))
    expect(card.get_by_text("À payer : 50 € de frais de formation")).to_be_visible()
    expect(card.get_by_role("button", name="Confirmer ma place")).to_have_count(0)
    auditor.check("mon espace : à payer", page)
    card.get_by_role("button", name="Payer").click()

    # On the stand-in checkout page, outside the site.
    expect(page.get_by_role("button", name="Payer 50,00 €")).to_be_visible()
    assert page.url.startswith(f"{checkout_server['origin']}/pay/cs_test_")
    page.get_by_role("button", name="Payer 50,00 €").click()

    # Back on the site: the bank's event arrived before the learner did.
    page.wait_for_url(f"{live_server.url}{reverse('inscriptions:paiement_merci', args=[admitted.pk])}")
    expect(page.get_by_role("heading", level=1, name="Merci !")).to_be_visible()
    assert checkout_server["stub"].webhook_statuses == [200]
    auditor.check("paiement : merci", page)

    page.goto(f"{live_server.url}{reverse('inscriptions:espace')}")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", level=3, name=formation.title))
    expect(card.get_by_text("Inscrit·e", exact=True)).to_be_visible()
    expect(card.get_by_text("Payé", exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="Payer")).to_have_count(0)
    auditor.check("mon espace : payé", page)
    assert auditor.violations == dict.fromkeys(["mon espace : à payer", "paiement : merci", "mon espace : payé"], [])

    payment = Payment.objects.get(application=admitted)
    admitted.refresh_from_db()
    session.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert payment.stripe_payment_intent_id == f"pi_{payment.stripe_checkout_session_id}"
    assert admitted.status == Status.ENROLLED
    assert session.seats_taken == 1
    assert StripeEvent.objects.count() == 1
