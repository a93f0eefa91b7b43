"""Protections every response gets, whatever view answered: a bounded request size, no browser cache of
personal pages, and a content policy on the admin."""

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext as _

ADMIN_PREFIX = "/admin/"


class RequestBodyLimitMiddleware:
    """Refuses a request announcing a body larger than allowed, before anything reads it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE bounds the form fields only, not the uploaded files: without this,
    anyone could make the server write gigabytes to its temporary folder. The public site receives at most a
    CV; the admin receives the staff's imports, images and documents, and gets the larger limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = (
            settings.STAFF_REQUEST_BODY_MAX_SIZE
            if request.path_info.startswith(ADMIN_PREFIX)
            else settings.REQUEST_BODY_MAX_SIZE
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            message = _(
                "La demande est trop volumineuse. Revenez à la page précédente et choisissez un fichier plus léger."
            )
            return HttpResponse(f'<!doctype html><html lang="fr"><p>{escape(message)}</p></html>', status=413)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on every response that can hold personal data, so that neither a
    shared computer's browser nor a proxy keeps a copy: everything under the private prefixes (learner space,
    applications, accounts, funders' portal and its files, admin and its downloads), and any page seen by
    someone logged in, which may show their name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path_info.startswith(tuple(settings.PRIVATE_URL_PREFIXES)) or (user and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


class AdminCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, plus a report-only policy on the admin (Wagtail needs inline scripts and
    styles there, which the public site's strict policy forbids): browsers report what the admin would break."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only and parts.config is None and request.path_info.startswith(ADMIN_PREFIX):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY_REPORT_ONLY["DIRECTIVES"])
        return parts
