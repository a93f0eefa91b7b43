import pytest

from inscriptions import payments
from tests.inscriptions.stripe_stub import StripeStub


@pytest.fixture
def stripe_stub(monkeypatch):
    """Stripe's API answered in-process; tests read `stripe_stub.requests` to see what was sent."""
    stub = StripeStub()
    monkeypatch.setattr(payments, "http_client", stub)
    return stub
