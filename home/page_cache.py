"""Public pages served from the shared cache to anonymous visitors.

Home, catalogue, campus and formation pages are the same for every anonymous visitor: the first one pays for the
queries and the templates, the next ones get the stored HTML without touching the database. A page opts in with
`mark_cacheable(request, params)` (the catalogue view, and Wagtail pages whose class says `public_page_cache`);
`PublicPageCacheMiddleware` answers from the cache and stores what was marked.

Only for anonymous GET and HEAD with no message waiting, never for someone logged in (their header says « Mon
espace »), never a page that put a CSRF token, a cookie or a message in its response: the stored HTML holds nothing
of one person. Keys carry a « public content version » that every change shown on these pages bumps (a page
published, unpublished, moved or deleted, a session edited, a seat taken or freed): no need to find the keys of
the pages a change touches, they are simply never read again. They also carry today's date, since a session
opens and closes with the calendar, and the stored pages expire after PUBLIC_PAGE_CACHE_SECONDS anyway.
"""

import hashlib
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

VERSION_KEY = "public-pages:version"
# The headers a stored page keeps; the middleware above this one adds theirs again on every answer.
STORED_HEADERS = ("Content-Type", "Content-Language", "Link")


def version():
    """The public content version, started from the clock when the cache has none (first use, Redis flushed):
    never a number an older page was stored under."""
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        current = cache.get(VERSION_KEY)
    return current


def bump(**kwargs):
    """Make every stored public page stale, now and again when the transaction commits.

    Now, so that this request and the tests see the change; at commit too, because a visitor's request that read
    the old rows before the commit may have stored its page under the new version meanwhile."""
    _bump()
    transaction.on_commit(_bump, robust=True)


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet, or evicted: a new one from the clock is past every older one
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def mark_cacheable(request, params=()):
    """Let the middleware store this page for anonymous visitors, when its query string has only `params`."""
    request.public_page_cache_params = frozenset(params)


def _normalised_query(request):
    return urlencode(sorted((name, value) for name, values in request.GET.lists() for value in values))


def _key(request, page_version):
    # One key per host (each site has its own pages), path and query string, in any order of its parameters.
    address = f"{request.get_host()}{request.path}?{_normalised_query(request)}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"public-pages:{page_version}:{timezone.localdate():%Y%m%d}:{digest}"


def _is_anonymous_read(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated:
        return False
    # Reading the count does not mark the messages as shown: they stay for the page that shows them.
    return len(get_messages(request)) == 0


def _stores(request, response):
    """Whether this response is the anonymous page, the same for everyone, that its view allowed to store."""
    params = getattr(request, "public_page_cache_params", None)
    if params is None or response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not set(request.GET) <= params:
        return False
    # A template that asked for a CSRF token holds a value of this visitor's; a message added while rendering
    # or a session written would be lost on the next visitor.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = get_messages(request)
    return not messages.used and len(messages) == 0


def _public_headers(response):
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
    # Logged in, the same address is another page (« Mon espace »): a proxy keeps the anonymous one apart.
    patch_vary_headers(response, ("Cookie",))
    return response


class PublicPageCacheMiddleware:
    """Answer anonymous visitors from the shared cache; store the public pages their views marked.

    Last in MIDDLEWARE: what it stores is the view's own response, and every other middleware adds its headers
    to a stored page as to a fresh one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or not _is_anonymous_read(request):
            return self.get_response(request)
        page_version = version()
        key = _key(request, page_version)
        stored = cache.get(key)
        if stored is not None:
            response = HttpResponse(stored["content"], status=200)
            for name, value in stored["headers"].items():
                response[name] = value
            return _public_headers(response)
        response = self.get_response(request)
        if _stores(request, response):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
            cache.set(key, {"content": response.content, "headers": headers}, settings.PUBLIC_PAGE_CACHE_SECONDS)
            _public_headers(response)
        return response


def connect_signals():
    """Pages change what public pages show: published, unpublished, moved (URLs, menus) or deleted.

    Each app connects its own records' changes to `bump` (formations: sessions; inscriptions: seats)."""
    from django.db.models.signals import post_delete
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(bump, dispatch_uid=f"home.page_cache.{signal}")
    post_delete.connect(_bump_for_pages, dispatch_uid="home.page_cache.page_deleted")


def _bump_for_pages(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump()
