"""Which Wagtail site a request is for, kept in the shared cache.

Wagtail reads it from the database at every request that asks (`Site.find_for_request`): a query and its model,
for a row that changes a few times in a project's life. `SiteCacheMiddleware` keeps Wagtail's answer per host and
port, dropped when a site is saved or deleted or a page moves (a site's root page then has another path), and
after SITE_CACHE_SECONDS anyway. Wagtail finds it on the request, where its own lookup would have left it.
"""

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port
from wagtail.models import Site

KEY = "wagtail-sites:by-host"
SITE_CACHE_SECONDS = 300
# Only hosts Django accepts get here (ALLOWED_HOSTS); a few at most are kept all the same.
MAX_HOSTS = 20


def forget_sites(**kwargs):
    cache.delete(KEY)


class SiteCacheMiddleware:
    """Give the request its site from the cache, or keep the one Wagtail looked up for it.

    After CommonMiddleware: a host Django refuses is left to Django, which answers 400 as before. A page that
    never asks for its site (the glossary, a static answer) reads no cache and no row."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            address = (split_domain_port(request.get_host())[0], request.get_port())
        except DisallowedHost:
            return self.get_response(request)
        sites = cache.get(KEY) or {}
        if address in sites:
            request._wagtail_site = sites[address]
        response = self.get_response(request)
        # Kept after a read only: a request that saves a site looked it up before its change.
        if address not in sites and hasattr(request, "_wagtail_site") and request.method in ("GET", "HEAD"):
            kept = sites if len(sites) < MAX_HOSTS else {}
            cache.set(KEY, {**kept, address: _as_read(request._wagtail_site)}, SITE_CACHE_SECONDS)
        return response


def _as_read(site):
    """The site and its root page as Wagtail read them, without what the request computed since: the root page's
    specific page (its content, read again at each request) above all."""
    if site is None:
        return None
    copy = _fields_only(site)
    copy.root_page = _fields_only(site.root_page)
    return copy


def _fields_only(instance):
    names = [field.attname for field in instance._meta.concrete_fields]
    return type(instance).from_db(instance._state.db, names, [getattr(instance, name) for name in names])


def connect_signals():
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import post_page_move

    post_save.connect(forget_sites, sender=Site, dispatch_uid="home.sites.saved")
    post_delete.connect(forget_sites, sender=Site, dispatch_uid="home.sites.deleted")
    post_page_move.connect(forget_sites, dispatch_uid="home.sites.page_moved")
