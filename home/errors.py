"""Error pages: a database out of reach for a moment is a 503 that says to try again, not a server error."""

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from home.conflicts import is_conflict

logger = logging.getLogger(__name__)

# How long a restart of the database takes, about: browsers and proxies may try again after it.
RETRY_AFTER_SECONDS = 30


def is_unavailable(error):
    """Whether the database could not be reached or dropped the connection (a restart, a failover, a network cut):
    a fault of the moment, not of the request."""
    return isinstance(error, OperationalError | InterfaceError) and not is_conflict(error)


def server_error(request):
    """handler500: the database out of reach is a 503 wherever it happened (a middleware loading the session too,
    where process_exception does not reach); anything else is the 500."""
    error = sys.exc_info()[1]
    if error is None or not is_unavailable(error):
        return defaults.server_error(request)
    logger.warning("Base de données injoignable : %s (%s)", request.path, error.__class__.__name__)
    # Rendered without the request: its context (session, user, site settings) would query the lost database.
    page = render_to_string("503.html", {"unavailable": True})
    return HttpResponse(page, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def drop_lost_connections():
    """Close the connections the database cut, so that the next query opens a new one (Django does not reconnect
    within a request). A connection inside a transaction is left to it."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
            connection.close()
