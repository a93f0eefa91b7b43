"""Browser tests that start behind the login: a person's session cookie put into Playwright's contexts."""

from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client


def session_cookie(live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "domain": urlsplit(live_server.url).hostname, "path": "/"}


def browsing_and_auditing(new_context, live_server, user, viewport):
    """Two contexts logged in as `user`: the person's (JavaScript off, as on a phone that cannot run it) and an
    auditor's for axe, whose script bypasses the site's Content Security Policy."""
    cookie = session_cookie(live_server, user)
    contexts = [
        new_context(viewport=viewport, java_script_enabled=False),
        new_context(viewport=viewport, bypass_csp=True),
    ]
    for context in contexts:
        context.add_cookies([cookie])
    return contexts
