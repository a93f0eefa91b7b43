"""An id for each request, on every log line it causes and in the `X-Request-ID` response header, so that one
request can be followed across the proxy's, gunicorn's and Django's logs."""

import contextvars
import logging
import re
import uuid

HEADER = "HTTP_X_REQUEST_ID"
# The proxy's id is kept when it looks like one; anything else a client writes is replaced, not logged.
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

current_request_id = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get(HEADER, "")
        request_id = given if ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request: commands, the task worker)."""

    def filter(self, record):
        record.request_id = current_request_id.get()
        return True
