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

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.counter += 1
        form = {key: values[-1] for key, values in parse_qs(post_data or "").items()}
        self.requests.append({"method": method, "url": url, "data": form, "headers": dict(headers or {})})
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
        elif url.endswith("/v1/refunds") and method == "post":
            body = {
                "id": f"re_test_{self.counter}",
                "object": "refund",
                "amount": int(form["amount"]),
                "payment_intent": form["payment_intent"],
                "status": "succeeded",
            }
        else:
            return json.dumps({"error": {"message": f"unexpected {method} {url}"}}), 404, {}
        return json.dumps(body), 200, {"request-id": f"req_{self.counter}"}

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
