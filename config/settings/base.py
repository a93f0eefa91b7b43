"""Settings shared by every mode. Everything deployment-specific comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "home",
    "campus",
    "formations",
    "transferts",
    "inscriptions",
    "financeurs",
    "demo",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: a load balancer's probe is answered before host checks, HTTPS redirects and sessions.
    "home.health.HealthCheckMiddleware",
    "home.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "home.security.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After the host is checked: which Wagtail site the request is for, from the cache (home.sites).
    "home.sites.SiteCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "home.middleware.StaffOnlyAdminMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "home.security.AdminCSPMiddleware",
    "home.security.PrivatePagesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "home.conflicts.ConflictMiddleware",
    # Last: it stores the views' own responses, and every middleware above adds its headers to a stored page too.
    "home.page_cache.PublicPageCacheMiddleware",
]

# Public pages (home, catalogue, campuses, formations) are kept in the cache for anonymous visitors this many
# seconds at most: every change they show makes them stale at once (home.page_cache), this is the safety net.
# 0 turns the page cache off. Browsers and proxies may keep them PUBLIC_PAGE_MAX_AGE seconds.
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "600"))
PUBLIC_PAGE_MAX_AGE = int(os.environ.get("PUBLIC_PAGE_MAX_AGE", "60"))

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# The embedded default is SQLite in the project folder; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login limits and sessions live in this cache: with several processes or servers, it must be one they all share
# (check home.E001). Sessions are also written to the database, so a Redis restart logs nobody out.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tremplin"),
            # A Redis that stops answering fails the request (and /healthz/) in seconds, instead of hanging it.
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Dates typed in forms: French first (04/01/2027), ISO too.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# CVs are personal data: kept outside MEDIA_ROOT and served only through a permission check.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
}
# Several web servers need one place for files: STORAGE_BACKEND=s3 puts them in an S3-compatible object store.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
# A private file is handed out as a signed link that works this many seconds, after the permission check.
PRIVATE_FILE_URL_EXPIRY = int(os.environ.get("PRIVATE_FILE_URL_EXPIRY", "60"))


def s3_storages(environ, expiry):
    """The media and private storages on an S3-compatible object store, from the variables of docs/deploy.md."""
    from botocore.config import Config as botocore_config

    options = {
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("AWS_S3_REGION_NAME") or None,
        "access_key": environ.get("AWS_ACCESS_KEY_ID", ""),
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY", ""),
        "signature_version": "s3v4",
        "file_overwrite": False,
        "default_acl": None,
        # An object store that stops answering fails the request (and /healthz/) in seconds, instead of a minute.
        "client_config": botocore_config(
            signature_version="s3v4", connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}
        ),
    }
    return {
        # Pictures and documents of public pages: plain links, the bucket is readable by everyone.
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **options,
                "bucket_name": environ.get("AWS_STORAGE_BUCKET_NAME", "tremplin-media"),
                "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
                "querystring_auth": False,
            },
        },
        # CVs, imports and exports: a bucket nobody reads without a link signed for one file, for `expiry` seconds.
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **options,
                "bucket_name": environ.get("AWS_PRIVATE_BUCKET_NAME", "tremplin-private"),
                "querystring_auth": True,
                "querystring_expire": expiry,
            },
        },
    }


if STORAGE_BACKEND == "s3":
    STORAGES.update(s3_storages(os.environ, PRIVATE_FILE_URL_EXPIRY))
elif STORAGE_BACKEND != "local":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("STORAGE_BACKEND vaut « local » ou « s3 ».")

# E-mail: console by default, SMTP when EMAIL_HOST is set. EMAIL_DELIVERY_BACKEND is the one that really sends:
# production puts home.mail.QueuedEmailBackend in front of it, so that a message waits out a mail server that is down.
if os.environ.get("EMAIL_HOST"):
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = EMAIL_DELIVERY_BACKEND
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tremplin <ne-pas-repondre@tremplin.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# E-mails and other slow work run as background tasks. The demo runs them at once (no worker to
# start); production keeps them in the database for `manage.py db_worker` (TASKS_BACKEND=database).
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[os.environ.get("TASKS_BACKEND", "immediate")]}}

# --- Accounts -----------------------------------------------------------------------------------
# Young people sign up with their e-mail (django-allauth); staff log in to the Wagtail admin.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "inscriptions:espace"
ACCOUNT_ADAPTER = "home.account_adapter.AccountAdapter"
# A signup does the same work whether or not the address has an account (see home.account_forms).
ACCOUNT_FORMS = {
    "signup": "home.account_forms.SignupForm",
    "confirm_email_verification_code": "home.account_forms.ConfirmEmailVerificationCodeForm",
    "confirm_login_code": "home.account_forms.ConfirmLoginCodeForm",
    "confirm_password_reset_code": "home.account_forms.ConfirmPasswordResetCodeForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Codes rather than links: a phone user reads the code in one app and types it in another.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
# Six digits, no dash: typed on a phone's number pad. Three wrong tries end a code (allauth's default).
ALLAUTH_USER_CODE_FORMAT = {"length": 6, "numeric": True, "dashed": False}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tremplin] "
ACCOUNT_PREVENT_ENUMERATION = True
# One door for everyone, staff included: the admin and Wagtail's front-end login send to allauth's login,
# so every login goes through the same rate limits, lock-out and e-mail verification.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Behind a proxy, REMOTE_ADDR is the proxy's own address: login limits per address read the client's from the
# X-Forwarded-For entry the last of these trusted proxies appended. 0 (no proxy) ignores that header, which
# anyone can write.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- Enrolment ----------------------------------------------------------------------------------
# Version of the privacy notice a learner consents to: bumped in the same commit as the text, never from the
# environment, so that a new text can never be shown under an old version nobody is asked to accept again.
PRIVACY_NOTICE_VERSION = "2026-12-4"
# Nobody is left without an answer: staff are reminded, then the application is closed kindly.
APPLICATION_REVIEW_REMINDER_DAYS = int(os.environ.get("APPLICATION_REVIEW_REMINDER_DAYS", "14"))
APPLICATION_CLOSE_AFTER_DAYS = int(os.environ.get("APPLICATION_CLOSE_AFTER_DAYS", "61"))
# A training nobody closed: staff are told every day once the session ended, and after this many days the
# application is closed as completed on the session's end date.
ENDED_TRAINING_GRACE_DAYS = int(os.environ.get("ENDED_TRAINING_GRACE_DAYS", "30"))
# Each enrolled person is reminded once, this many days before the session starts, of the address, hours and
# first-day details (send_start_reminders, daily).
SESSION_START_REMINDER_DAYS = int(os.environ.get("SESSION_START_REMINDER_DAYS", "3"))
# Attendance: a person absent (not excused) this many class days in a row is flagged to staff.
ATTENDANCE_ABSENCE_ALERT_DAYS = int(os.environ.get("ATTENDANCE_ABSENCE_ALERT_DAYS", "3"))
# A group may begin a few days before the session's planned start (a welcome day, an early week): a start recorded
# earlier than this is a typing mistake and is refused.
TRAINING_START_TOLERANCE_DAYS = int(os.environ.get("TRAINING_START_TOLERANCE_DAYS", "7"))
CV_MAX_UPLOAD_SIZE = int(os.environ.get("CV_MAX_UPLOAD_SIZE", str(5 * 1024 * 1024)))
# --- Payments -----------------------------------------------------------------------------------
# Stripe keys come only from the environment. Without them, priced sessions are paid by hand.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Stripe's API address, when it is not Stripe's own: a stand-in that answers like Stripe on loopback (the load run
# of `make bench`). Empty in production.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# How long an admitted learner's seat is held while their payment is pending.
PAYMENT_HOLD_HOURS = int(os.environ.get("PAYMENT_HOLD_HOURS", "48"))
# A refund Stripe refuses is tried again, waiting twice as long each time (from the first delay up to the longest),
# until Stripe takes it; after this many refused tries the campus's staff are told by e-mail.
REFUND_RETRY_FIRST_DELAY_MINUTES = int(os.environ.get("REFUND_RETRY_FIRST_DELAY_MINUTES", "5"))
REFUND_RETRY_MAX_DELAY_HOURS = int(os.environ.get("REFUND_RETRY_MAX_DELAY_HOURS", "24"))
REFUND_ALERT_AFTER_ATTEMPTS = int(os.environ.get("REFUND_ALERT_AFTER_ATTEMPTS", "5"))

# A link sent to a parent or guardian stays valid this long.
GUARDIAN_CONSENT_MAX_AGE_DAYS = 30
# A learner cannot make Tremplin write to a parent's address more often than this in 24 hours.
GUARDIAN_CONSENT_EMAILS_PER_DAY = int(os.environ.get("GUARDIAN_CONSENT_EMAILS_PER_DAY", "3"))

# A strict policy for the public site: no inline script, no third-party origin. The Wagtail admin
# relies on inline code, so it keeps Django's defaults.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin", "/django-admin"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The admin: a report-only policy (it would block nothing, browsers report what it would have blocked).
# Wagtail relies on inline scripts and styles, and shows pages in previews and iframes of its own.
ADMIN_CONTENT_SECURITY_POLICY_REPORT_ONLY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        **({"report-uri": [os.environ["CSP_REPORT_URI"]]} if os.environ.get("CSP_REPORT_URI") else {}),
    },
}
# No avatar fetched from a third party with a hash of the staff's e-mail.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No page of ours uses these browser features; Stripe's payment page is on Stripe's own site.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Pages and files that hold personal data are never kept by a browser or a proxy (`private, no-store`); so is
# any page seen by someone logged in.
PRIVATE_URL_PREFIXES = [
    "/admin/",
    "/comptes/",
    "/mon-espace/",
    "/inscriptions/",
    "/financeurs/",
    "/suivi/",
    "/au-revoir/",
]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Request sizes. Form fields (without files) stay under Django's default 2.5 MB; files above
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file. A whole request is refused (413) above
# REQUEST_BODY_MAX_SIZE on the public site (its largest upload is a CV) and above STAFF_REQUEST_BODY_MAX_SIZE in
# the admin (imports, images, documents); 1 MB on top of the file leaves room for the form around it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

WAGTAIL_SITE_NAME = "Tremplin"
# The address the site is served at: links in e-mails follow it (`make demo PORT=8123` sets it to that port).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", SITE_URL)
# Absolute links in e-mails to learners and parents.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", WAGTAILADMIN_BASE_URL).rstrip("/")
# Who publishes the offers in the LHEO feed (/formations/lheo.xml, docs/lheo.md): the training organisation
# responsible, as the Carif-Oref knows it. The schema requires its declaration number (11 characters) and SIRET.
LHEO_ORGANISATION = {
    "numero_activite": os.environ.get("LHEO_NUMERO_ACTIVITE", ""),
    "siret": os.environ.get("LHEO_SIRET", ""),
    "name": os.environ.get("LHEO_NOM_ORGANISME", WAGTAIL_SITE_NAME),
    "legal_name": os.environ.get("LHEO_RAISON_SOCIALE", ""),
    "email": os.environ.get("LHEO_COURRIEL", ""),
}
# Formacode codes of the public the actions address (code-public-vise, one to ten codes, required by LHEO).
LHEO_TARGET_PUBLIC_CODES = [
    code.strip() for code in os.environ.get("LHEO_CODES_PUBLIC_VISE", "").split(",") if code.strip()
]
WAGTAIL_I18N_ENABLED = False
# Wagtail's database backend uses PostgreSQL's full-text search on PostgreSQL, SQLite's FTS5 on SQLite. Accents do
# not matter on either (home/text_search.py): on PostgreSQL through the `french_unaccent` and `simple_unaccent`
# configurations that home's migrations create. Changing a configuration asks for `manage.py update_index`.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "home.search_backend"}}
if "postgresql" in DATABASES["default"]["ENGINE"]:
    WAGTAILSEARCH_BACKENDS["default"] |= {"SEARCH_CONFIG": "french_unaccent", "AUTOCOMPLETE_CONFIG": "simple_unaccent"}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "xlsx"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]

CATALOGUE_PAGE_SIZE = 20
# The public API (/api/v2/, docs/api.md): at most this many pages an answer (`?limit=`), 20 when not asked.
WAGTAILAPI_LIMIT_MAX = 50
WAGTAILAPI_BASE_URL = SITE_URL

# "json": one JSON object a line, with the request's id, for a log collector (the production default); "plain" to read.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
LOG_FORMATS = ("plain", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "home.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, in UTC
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per background task is noise at INFO.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}

# Funders. Participant files carry a pseudonym derived from this key: changing it changes every pseudonym, so keep
# it stable for the life of the agreements. Production requires its own (config.settings.production); this default
# is for demo data only.
PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY", "") or "cle-de-demonstration-jamais-en-production"
# Every combination of quasi-identifiers among the pseudonymised rows of a participant file is shared by at least
# this many rows (financeurs/anonymity.py).
PARTICIPANT_FILE_K = 5
# Exports with more rows than this run as background tasks, with a progress bar. Imports always do.
EXPORT_SYNC_MAX_ROWS = int(os.environ.get("EXPORT_SYNC_MAX_ROWS", "10000"))
# What one import file may hold (admin and import_fichier alike), checked by the worker as it reads the file
# (transferts/reading.py): its weight, its rows (header excluded), columns and characters per cell, what a workbook
# weighs once uncompressed and how much more than its file (a zip bomb weighs a thousand times more), and how long
# reading it may take.
IMPORT_MAX_UPLOAD_SIZE = int(os.environ.get("IMPORT_MAX_UPLOAD_SIZE", str(20 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "100"))
IMPORT_MAX_CELL_CHARS = int(os.environ.get("IMPORT_MAX_CELL_CHARS", "10000"))
IMPORT_MAX_UNCOMPRESSED_SIZE = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_SIZE", str(256 * 1024 * 1024)))
IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("IMPORT_MAX_COMPRESSION_RATIO", "100"))
IMPORT_MAX_SECONDS = int(os.environ.get("IMPORT_MAX_SECONDS", "300"))
# An import job beats (DataJob.heartbeat_at) every thousand rows while it reads and checks its file. One silent
# for longer than this was stopped with its worker: `recover_import_jobs` queues it once more, then marks it failed.
# Keep it above the time a write transaction of IMPORT_MAX_ROWS rows takes, which beats only before it starts.
IMPORT_STALE_AFTER_SECONDS = int(os.environ.get("IMPORT_STALE_AFTER_SECONDS", "900"))
REQUEST_BODY_MAX_SIZE = CV_MAX_UPLOAD_SIZE + 1024 * 1024
STAFF_REQUEST_BODY_MAX_SIZE = max(IMPORT_MAX_UPLOAD_SIZE, WAGTAILIMAGES_MAX_UPLOAD_SIZE) + 1024 * 1024
# Follow-up questionnaires, 6 and 12 months after leaving: how long a link stays valid, when the single
# reminder goes, and how late a questionnaire may still be sent (so a first deployment does not mail old leavers).
FOLLOW_UP_SURVEY_VALID_DAYS = int(os.environ.get("FOLLOW_UP_SURVEY_VALID_DAYS", "45"))
FOLLOW_UP_SURVEY_REMINDER_DAYS = int(os.environ.get("FOLLOW_UP_SURVEY_REMINDER_DAYS", "14"))
FOLLOW_UP_SURVEY_SEND_WINDOW_DAYS = int(os.environ.get("FOLLOW_UP_SURVEY_SEND_WINDOW_DAYS", "90"))

# --- Retention ----------------------------------------------------------------------------------
# How long personal data is kept: `manage.py purge_personal_data` (daily) applies each period, and the privacy
# notice quotes them. docs/security.md, « Durées de conservation », lists them.
# Files of finished imports and exports hold personal data: deleted after this many days.
DATA_JOB_RETENTION_DAYS = int(os.environ.get("DATA_JOB_RETENTION_DAYS", "7"))
# A learner account with no login and no application activity this long, and nothing in progress, is warned...
INACTIVE_ACCOUNT_DAYS = int(os.environ.get("INACTIVE_ACCOUNT_DAYS", "730"))
# ...then erased this many days after the warning if the person has not logged in since.
INACTIVE_ACCOUNT_NOTICE_DAYS = int(os.environ.get("INACTIVE_ACCOUNT_NOTICE_DAYS", "30"))
# A partner's referral that never led to an account.
UNUSED_REFERRAL_DAYS = int(os.environ.get("UNUSED_REFERRAL_DAYS", "365"))
# Stored Stripe webhook events (kept only to process each event once).
STRIPE_EVENT_RETENTION_DAYS = int(os.environ.get("STRIPE_EVENT_RETENTION_DAYS", "90"))
# The admin's history (Wagtail's log entries), whose labels name people.
LOG_ENTRY_RETENTION_DAYS = int(os.environ.get("LOG_ENTRY_RETENTION_DAYS", "365"))
# Background task rows, whose arguments may hold an e-mail address.
TASK_RESULT_RETENTION_DAYS = int(os.environ.get("TASK_RESULT_RETENTION_DAYS", "7"))

# --- Dates in the admin -------------------------------------------------------------------------
# Typed and shown the French way in Wagtail's pickers; ISO stays accepted. (Django's French locale reads these
# formats too; home.dates also reads a date written in words, "4 janvier 2027".)
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
# New pages get plain-letter addresses: "Cybersécurité" → /cybersecurite/.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
