"""Each request has an id, on its response and on every log line it causes, to follow it across the logs."""

import logging
import re

from django.http import HttpResponse

from home.request_id import RequestIdFilter, RequestIdMiddleware, current_request_id


def test_each_response_carries_a_new_request_id(client):
    first, second = client.get("/healthz/"), client.get("/formations/")

    assert re.fullmatch(r"[0-9a-f]{32}", second["X-Request-ID"])
    assert first.get("X-Request-ID") != second["X-Request-ID"]


def test_the_proxy_s_request_id_is_kept(client):
    response = client.get("/formations/", HTTP_X_REQUEST_ID="req-8f14e45fceea167a")

    assert response["X-Request-ID"] == "req-8f14e45fceea167a"


def test_a_request_id_that_could_forge_log_lines_is_replaced(client):
    response = client.get("/formations/", HTTP_X_REQUEST_ID='x"\n{"level": "INFO"}')

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_log_lines_written_during_a_request_carry_its_id(rf):
    seen = []

    def view(request):
        record = logging.LogRecord("inscriptions", logging.INFO, __file__, 1, "candidature reçue", None, None)
        RequestIdFilter().filter(record)
        seen.append(record.request_id)
        return HttpResponse()

    response = RequestIdMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="req-0123456789"))

    assert seen == ["req-0123456789"] == [response["X-Request-ID"]]
    assert current_request_id.get() == "-"
