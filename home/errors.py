"""The page shown when the database does not answer: a 503 that says to try again, not a server error."""

import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

# How long a restart of the database takes, about: browsers and proxies may try again after it.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """handler500: a lost database (a restart, a failover) reads as a short unavailability."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    # Rendered without the request: its context (session, user, site settings) would query the lost database.
    page = loader.get_template("503.html").render({})
    return HttpResponse(page, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def drop_lost_connections():
    """Close the connections the database cut, so that the next query opens a new one (Django does not reconnect
    within a request). A connection inside a transaction is left to it."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
            connection.close()
