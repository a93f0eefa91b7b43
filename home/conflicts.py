"""Transactions that lose a race: retried a few times, and if they keep losing, a French 503 page, never a 500.

PostgreSQL ends one of two transactions that wait on each other ("deadlock detected", SQLSTATE 40P01) and
refuses a transaction whose snapshot went stale under a stricter isolation level (40001). Either way nothing
was written: the whole transaction can simply run again. Only the code that opened the transaction can do
that, so `retry_on_conflict` retries only at the outermost level; called inside another transaction, it
lets the error rise to whoever owns that one.
"""

import functools
import logging
import random
import time

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
ATTEMPTS = 3
PAUSE_SECONDS = 0.05  # the first pause's mean; each later one is longer, and all are jittered


def is_conflict(error):
    """Whether a database error is a lost race (deadlock or serialization failure) rather than a real fault."""
    while error is not None:
        if getattr(error, "sqlstate", None) in CONFLICT_SQLSTATES:
            return True
        error = error.__cause__
    return False


def retry_on_conflict(func=None, *, attempts=ATTEMPTS):
    """Run `func` again, after a short random pause, when its transaction lost a race; at most `attempts` times."""
    if func is None:
        return functools.partial(retry_on_conflict, attempts=attempts)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        for attempt in range(1, attempts + 1):
            try:
                return func(*args, **kwargs)
            except DatabaseError as error:
                if not is_conflict(error) or attempt == attempts:
                    raise
                logger.info("%s: transaction en conflit, nouvel essai (%d/%d).", func.__qualname__, attempt, attempts)
                # Jittered, so that the two transactions that collided do not collide again at the same instant.
                time.sleep(random.uniform(0.5, 1.5) * PAUSE_SECONDS * attempt)  # noqa: S311 - not a secret
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


class ConflictMiddleware:
    """A conflict still there after the retries: a 503 page in French that says to try again, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError) or not is_conflict(exception):
            return None
        logger.warning("Conflit de transactions non résolu après %d essais : %s", ATTEMPTS, request.path)
        # Without the request's context processors: the page asks nothing more of the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
