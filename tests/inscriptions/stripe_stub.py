"""A stand-in for Stripe's API at the stripe library's HTTP client: no network, Stripe-shaped answers."""

import json
import time
from urllib.parse import parse_qs

import stripe


class StripeStub(stripe.HTTPClient):
    name = "tremplin-test-stub"

    def __init__(self):
        super().__init__()
        self.requests = []
        self.counter = 0
        self.failures = []
        self.refund_status = "succeeded"
        self.made = []  # every refund Stripe made
        self.refunds_made = {}  # by idempotency key, as Stripe keeps them (for 24 hours)
        self.refund_delay = 0  # seconds Stripe takes to answer a refund

    def fail_next(self, *failures):
        """The next refund requests fail, in this order: "500" (Stripe down), "402" (card error), "400" (refused
        request), "timeout" (no answer), "lost" (Stripe made the refund, its answer never came)."""
        self.failures.extend(failures)

    def forget_idempotency_keys(self):
        """Stripe keeps an idempotency key 24 hours: past them, the same key makes a new refund."""
        self.refunds_made.clear()

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.counter += 1
        form = {key: values[-1] for key, values in parse_qs(post_data or "").items()}
        self.requests.append({"method": method, "url": url, "data": form, "headers": dict(headers or {})})
        if url.endswith("/v1/refunds") and method == "post":
            return self.refund(form, dict(headers or {}).get("Idempotency-Key"))
        if "/v1/refunds?" in url and method == "get":
            intent = parse_qs(url.split("?", 1)[1])["payment_intent"][-1]
            made = [body for body in self.made if body["payment_intent"] == intent]
            return json.dumps({"object": "list", "data": made, "has_more": False, "url": "/v1/refunds"}), 200, {}
        if url.endswith("/v1/checkout/sessions") and method == "post":
            body = {
                "id": f"cs_test_{self.counter}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.com/c/pay/cs_test_{self.counter}",
                "payment_status": "unpaid",
                "status": "open",
                "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                "metadata": {"application_id": form.get("metadata[application_id]")},
            }
        else:
            return json.dumps({"error": {"message": f"unexpected {method} {url}"}}), 404, {}
        return json.dumps(body), 200, {"request-id": f"req_{self.counter}"}

    def refund(self, form, idempotency_key):
        time.sleep(self.refund_delay)
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "lost":
                self.make_refund(form, idempotency_key)
                raise stripe.APIConnectionError("Request to Stripe timed out", should_retry=False)
            if failure == "timeout":
                raise stripe.APIConnectionError("Request to Stripe timed out", should_retry=False)
            status, error = {
                "500": (500, {"type": "api_error", "message": "An unknown error occurred"}),
                "402": (402, {"type": "card_error", "code": "expired_card", "message": "Your card has expired."}),
                "400": (400, {"type": "invalid_request_error", "code": "charge_already_refunded", "message": "No"}),
            }[failure]
            # Said so that the stripe library does not retry (and sleep) by itself: each failure is one try of ours.
            return json.dumps({"error": error}), status, {"stripe-should-retry": "false"}
        if idempotency_key in self.refunds_made:
            return json.dumps(self.refunds_made[idempotency_key]), 200, {"idempotent-replayed": "true"}
        return json.dumps(self.make_refund(form, idempotency_key)), 200, {"request-id": f"req_{self.counter}"}

    def make_refund(self, form, idempotency_key):
        body = {
            "id": f"re_test_{self.counter}",
            "object": "refund",
            "amount": int(form["amount"]),
            "payment_intent": form["payment_intent"],
            "status": self.refund_status,
            "metadata": {"payment_id": form.get("metadata[payment_id]"), "refund_id": form.get("metadata[refund_id]")},
        }
        self.refunds_made[idempotency_key] = body
        self.made.append(body)
        return body

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError

    def close(self):
        pass


def event(event_type, data_object, event_id=None, created=None):
    return {
        "id": event_id or f"evt_{event_type.replace('.', '_')}_{data_object.get('id')}",
        "object": "event",
        "type": event_type,
        "created": created or int(time.time()),
        "api_version": "2025-01-27.acacia",
        "livemode": False,
        "data": {"object": data_object},
    }


def signed_post(client, payload_dict, secret="whsec_test_tremplin", tamper=None):
    payload = json.dumps(payload_dict)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret)
    if tamper:
        payload = tamper(payload)
    return client.post(
        "/paiements/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
