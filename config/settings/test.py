"""Tests: fast and quiet. DATABASE_URL still decides between SQLite and PostgreSQL."""

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests read each response's context and count each request's queries: public pages are not served from the cache,
# except in the tests of that cache (tests/home/test_page_cache.py) and of what it stores.
PUBLIC_PAGE_CACHE_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING = {"version": 1, "disable_existing_loggers": False}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
PUBLIC_BASE_URL = "http://testserver"
STRIPE_SECRET_KEY = "sk_test_tremplin"
STRIPE_WEBHOOK_SECRET = "whsec_test_tremplin"
# Made-up identifiers of the right shape: the LHEO feed's tests validate the document against the schema.
LHEO_ORGANISATION = {
    "numero_activite": "11930000093",
    "siret": "00000000000093",
    "name": "Tremplin",
    "legal_name": "Association Tremplin",
    "email": "offres@tremplin.example",
}
LHEO_TARGET_PUBLIC_CODES = ["80006"]
