"""The one order in which the enrolment pipeline locks rows: a session, then its applications, then their payments.

Two transactions that lock the same rows in the same order queue up; in opposite orders, each waits for the
other and PostgreSQL kills one ("deadlock detected"). So every path that locks goes through these helpers,
top-down, and never takes a lock above one it already holds:

    learner (an erasure, before her applications)  →  session  →  applications  →  payments

- Each helper locks its own table's rows only (`of=("self",)`): a join (`select_related`) reads the joined rows
  without locking them, so a query never locks more, or in another order, than its name says.
- The locks are `FOR NO KEY UPDATE` (`no_key=True`): they exclude every other locker and writer of the row, but
  not the insertion of rows pointing at it (history, payments, refunds), whose foreign key only takes a
  `KEY SHARE` lock. A plain `FOR UPDATE` would make each such insert a lock taken out of order.
- Several applications of one session are locked under that session's lock, so by one transaction at a time.
- Follow-ups, their surveys and guardian-consent links are locked alone, never together with the above.

A transaction that still loses a race is run again by `retry_on_conflict` (home/conflicts.py).
"""

from formations.models import Session
from home.conflicts import retry_on_conflict
from inscriptions.models import Application, Payment

__all__ = [
    "lock_application",
    "lock_applications",
    "lock_checkout_payment",
    "lock_payments",
    "lock_session",
    "retry_on_conflict",
]


def _locking(queryset):
    return queryset.select_for_update(of=("self",), no_key=True)


def lock_session(session_pk):
    """The session, locked: taken first, before any of its applications or payments."""
    return _locking(Session.objects.all()).get(pk=session_pk)


def lock_applications(queryset):
    """The applications of `queryset`, locked once evaluated (in the queryset's order); their session's lock first."""
    return _locking(queryset)


def lock_application(application_pk):
    """One application, locked, with its learner read alongside (not locked)."""
    return _locking(Application.objects.select_related("learner")).get(pk=application_pk)


def lock_payments(queryset):
    """The payments of `queryset`, locked once evaluated; their session's and application's locks first."""
    return _locking(queryset)


def lock_checkout_payment(checkout_id):
    """The payment of a Stripe Checkout Session with its session and application locked first, or None.

    The payment is found without a lock, to learn which session and application it belongs to; then the three
    are locked top-down, and the payment read again under its lock.
    """
    found = Payment.objects.filter(stripe_checkout_session_id=checkout_id).values("pk", "application_id").first()
    if found is None:
        return None
    application = Application.objects.only("session_id").get(pk=found["application_id"])
    lock_session(application.session_id)
    lock_application(application.pk)
    return lock_payments(Payment.objects.select_related("application__session").filter(pk=found["pk"])).get()
