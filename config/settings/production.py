"""Production hardening. Secrets have no default here: a missing one stops the start-up."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

from config.settings.base import *  # noqa: F403
from config.settings.base import env_bool

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY doit être défini dans l'environnement (50 caractères au moins).")
if "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("DATABASE_URL doit être défini dans l'environnement.")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS doit être défini dans l'environnement.")
# The sitemap, canonical links, link previews and structured data give this address to the world: never the
# development default, always one of the host names served.
if "SITE_URL" not in os.environ or not validate_host(urlsplit(SITE_URL).hostname or "", ALLOWED_HOSTS):  # noqa: F405
    raise ImproperlyConfigured(
        "SITE_URL doit être défini dans l'environnement : l'adresse publique du site, sur un nom de ALLOWED_HOSTS."
    )
# Login limits and lock-outs are counted in the cache: per process, each worker would count on its own.
if not os.environ.get("REDIS_URL"):
    raise ImproperlyConfigured(
        "REDIS_URL doit être défini dans l'environnement (cache partagé des limites de connexion)."
    )
# A key of its own: whoever holds the key (or guesses a committed one) can reverse every pseudonym of a funder file.
PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY", "")
if len(PSEUDONYM_KEY) < 32 or PSEUDONYM_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "PSEUDONYM_KEY doit être défini dans l'environnement (32 caractères au moins), différent de SECRET_KEY."
    )

# Each web process keeps its database connection for a minute instead of opening one per request (a TLS
# handshake and a PostgreSQL backend start cost more than most pages); a connection that died meanwhile (database
# restarted, fail-over) is checked before a request uses it and replaced, instead of failing that request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer probes /healthz/ over plain HTTP (home.health answers it before this redirect anyway).
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True

# Each e-mail is a task of its own, tried again while the mail server does not answer (home.mail).
EMAIL_BACKEND = "home.mail.QueuedEmailBackend"

# E-mails leave the request: a slow mail server never slows a page. Run `manage.py db_worker`.
TASKS = {
    "default": {"BACKEND": TASKS_BACKENDS[os.environ.get("TASKS_BACKEND", "database")]}  # noqa: F405
}

# One JSON object a line, for the log collector; LOG_FORMAT=plain to read them by eye.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
if LOG_FORMAT not in LOG_FORMATS:  # noqa: F405
    raise ImproperlyConfigured("LOG_FORMAT vaut « json » ou « plain ».")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
