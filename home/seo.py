"""How the public site is found and shared: absolute addresses, descriptions, the sitemap and robots.txt.

Every absolute address of the site starts with `settings.SITE_URL` (the address it is served at), never with the
host a request happened to name nor the Wagtail Site's hostname (`localhost` in a fresh database).
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

DESCRIPTION_MAX_LENGTH = 160


def absolute_url(path):
    """The address of a path of the site, as people and search engines should see it."""
    return f"{settings.SITE_URL}{path}"


class SiteUrlMixin:
    """A page's full address starts with SITE_URL (the sitemap, canonical links and structured data use it)."""

    def get_full_url(self, request=None):
        url_parts = self.get_url_parts(request=request)
        if url_parts is None or url_parts[2] is None:
            return None
        return absolute_url(url_parts[2])

    full_url = property(get_full_url)


def default_description():
    return _(
        "Tremplin : des formations au numérique, souvent gratuites, dans les campus près de chez vous, "
        "pour les 16-30 ans."
    )


def describe(text):
    """One line of plain text, cut at a word under 160 characters for search engines and link previews."""
    text = " ".join(str(text).split())
    if len(text) <= DESCRIPTION_MAX_LENGTH:
        return text
    cut = text[: DESCRIPTION_MAX_LENGTH - 1]
    if text[DESCRIPTION_MAX_LENGTH - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return f"{cut.rstrip(' ,;:.–-')}…"


def page_description(page):
    """A page's search description, else its summary or introduction, else the site's."""
    for field in ("search_description", "summary", "introduction"):
        if text := getattr(page, field, ""):
            return describe(text)
    return describe(default_description())


def canonical_url(request, page=None, form=None):
    """The one address of what is shown: a page's own address; a view's path, with the form's filters if any.

    Tracking parameters (utm_*, fbclid…) and anything the view does not read are dropped, so are empty fields and
    the first page of results.
    """
    url = absolute_url(request.path)
    if page is not None and getattr(page, "get_full_url", None):
        return page.get_full_url(request) or url
    if form is None:
        return url
    kept = [(name, value) for name in [*form.fields, "page"] for value in request.GET.getlist(name) if value]
    kept = [(name, value) for name, value in kept if not (name == "page" and value == "1")]
    return f"{url}?{urlencode(kept)}" if kept else url


class PublicViewsSitemap(Sitemap):
    """The public pages that are not Wagtail pages: the catalogue, the privacy notice and the glossary."""

    view_names = ["formations:catalogue", "inscriptions:confidentialite", "glossary"]

    def items(self):
        return self.view_names

    def location(self, item):
        return reverse(item)

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc + urlsplit(settings.SITE_URL).path


class PagesSitemap(WagtailSitemap):
    """Every live page that anyone may see (no draft, no page behind a password or a login)."""


SITEMAPS = {"pages": PagesSitemap, "vues": PublicViewsSitemap}


@require_safe
def sitemap(request):
    """Every public address of the site, for search engines (robots.txt names it)."""
    return wagtail_sitemap(request, sitemaps=SITEMAPS)


@require_safe
@cache_control(max_age=86400, public=True)
def favicon_ico(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page says: sent to the static file."""
    return HttpResponseRedirect(static("favicon.ico"))


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """What search engines may crawl: not the admin nor the pages that hold personal data."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {prefix}" for prefix in settings.PRIVATE_URL_PREFIXES]
    lines += ["", f"Sitemap: {absolute_url(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
