"""Each settings module starts in a fresh process with only the environment it documents."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

MANAGE = str(settings.BASE_DIR / "manage.py")


def manage(*args, env):
    clean_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8", **env}
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        env=clean_env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


REDIS_URL_REQUIRED = "REDIS_URL doit être défini dans l'environnement (cache partagé des limites de connexion)."
SITE_URL_REQUIRED = (
    "SITE_URL doit être défini dans l'environnement : l'adresse publique du site, sur un nom de ALLOWED_HOSTS."
)
PSEUDONYM_KEY_REQUIRED = (
    "PSEUDONYM_KEY doit être défini dans l'environnement (32 caractères au moins), différent de SECRET_KEY."
)


@pytest.fixture
def production_env(tmp_path):
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tremplin.sqlite3'}",
        "ALLOWED_HOSTS": "tremplin.example.org",
        "SITE_URL": "https://tremplin.example.org",
        "PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }


def test_production_settings_pass_the_deployment_checklist(production_env):
    assert len(production_env["SECRET_KEY"]) == 64

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", None, "SECRET_KEY doit être défini dans l'environnement (50 caractères au moins)."),
        ("SECRET_KEY", "trop-court", "SECRET_KEY doit être défini dans l'environnement (50 caractères au moins)."),
        ("DATABASE_URL", None, "DATABASE_URL doit être défini dans l'environnement."),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS doit être défini dans l'environnement."),
        ("SITE_URL", None, SITE_URL_REQUIRED),
        ("SITE_URL", "http://localhost:8000", SITE_URL_REQUIRED),
        ("SITE_URL", "https://autre.example.org", SITE_URL_REQUIRED),
        ("REDIS_URL", None, REDIS_URL_REQUIRED),
        ("PSEUDONYM_KEY", None, PSEUDONYM_KEY_REQUIRED),
        ("PSEUDONYM_KEY", "courte", PSEUDONYM_KEY_REQUIRED),
        ("PSEUDONYM_KEY", "SECRET_KEY", PSEUDONYM_KEY_REQUIRED),
    ],
    ids=[
        "no-secret-key",
        "short-secret-key",
        "no-database-url",
        "no-allowed-hosts",
        "no-site-url",
        "site-url-on-localhost",
        "site-url-not-served",
        "no-redis-url",
        "no-pseudonym-key",
        "short-pseudonym-key",
        "pseudonym-key-is-the-secret-key",
    ],
)
def test_production_settings_refuse_to_start_without_their_secrets(production_env, variable, value, message):
    if value == "SECRET_KEY":
        value = production_env["SECRET_KEY"]
    env = {**production_env, variable: value}
    env = {name: value for name, value in env.items() if value is not None}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_the_deployment_check_refuses_a_cache_each_worker_keeps_to_itself(settings):
    from home.checks import check_login_limits_are_shared

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    [error] = check_login_limits_are_shared(None)
    assert error.id == "home.E001" and "REDIS_URL" in error.hint

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert check_login_limits_are_shared(None) == []


@pytest.mark.parametrize(("proxies", "expected"), [(None, 0), ("1", 1)])
def test_the_number_of_trusted_proxies_comes_from_the_environment(production_env, proxies, expected):
    env = {**production_env, "TRUSTED_PROXY_COUNT": proxies} if proxies else production_env
    script = "from django.conf import settings; print('proxies', settings.ALLAUTH_TRUSTED_PROXY_COUNT)"

    result = manage("shell", "--no-imports", "-c", script, env=env)

    assert result.returncode == 0, result.stderr
    assert f"proxies {expected}" in result.stdout


def test_dev_settings_run_on_sqlite_with_no_environment():
    script = (
        "from django.conf import settings; from django.core.management import call_command; "
        "call_command('check'); "
        "print(settings.SETTINGS_MODULE, settings.DATABASES['default']['ENGINE'], settings.DEBUG)"
    )

    result = manage("shell", "--no-imports", "-c", script, env={})

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "config.settings.dev django.db.backends.sqlite3 True" in result.stdout


def settings_of(env, *expressions):
    script = "from django.conf import settings; from django.core.files.storage import storages; " + "; ".join(
        f"print({expression!r}, '=', {expression})" for expression in expressions
    )
    result = manage("shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    return dict(line.split(" = ", 1) for line in result.stdout.splitlines() if " = " in line)


def test_production_keeps_sessions_in_the_shared_redis_and_in_the_database(production_env):
    values = settings_of(production_env, "settings.SESSION_ENGINE", "settings.CACHES['default']['BACKEND']")

    assert values == {
        "settings.SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        "settings.CACHES['default']['BACKEND']": "django.core.cache.backends.redis.RedisCache",
    }


def test_production_keeps_database_connections_and_checks_them_before_reuse(production_env):
    expressions = (
        "settings.DATABASES['default']['CONN_MAX_AGE']",
        "settings.DATABASES['default']['CONN_HEALTH_CHECKS']",
    )

    assert list(settings_of(production_env, *expressions).values()) == ["60", "True"]
    tuned = settings_of({**production_env, "DATABASE_CONN_MAX_AGE": "0"}, *expressions)
    assert list(tuned.values()) == ["0", "True"]


def test_storage_backend_s3_puts_media_and_private_files_in_their_buckets(production_env):
    env = {
        **production_env,
        "STORAGE_BACKEND": "s3",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.org",
        "AWS_STORAGE_BUCKET_NAME": "tremplin-medias",
        "AWS_PRIVATE_BUCKET_NAME": "tremplin-prive",
    }

    values = settings_of(
        env,
        "type(storages['default']).__name__",
        "storages['default'].bucket_name",
        "storages['default'].querystring_auth",
        "storages['private'].bucket_name",
        "storages['private'].querystring_auth",
        "storages['private'].querystring_expire",
    )

    assert values == {
        "type(storages['default']).__name__": "S3Storage",
        "storages['default'].bucket_name": "tremplin-medias",
        "storages['default'].querystring_auth": "False",
        "storages['private'].bucket_name": "tremplin-prive",
        "storages['private'].querystring_auth": "True",
        "storages['private'].querystring_expire": "60",
    }


def test_an_unknown_storage_backend_stops_the_start_up(production_env):
    result = manage("check", env={**production_env, "STORAGE_BACKEND": "ftp"})

    assert result.returncode != 0
    assert "STORAGE_BACKEND vaut « local » ou « s3 »." in result.stderr


def test_production_logs_one_json_object_a_line(production_env):
    script = "import logging; logging.getLogger('inscriptions').warning('place libérée')"

    result = manage("shell", "--no-imports", "-c", script, env=production_env)

    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stderr.splitlines() if "place" in line]
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["logger"] == "inscriptions"
    assert record["message"] == "place libérée"
    assert record["request_id"] == "-"  # outside a request
    assert "time" in record


def test_an_unknown_log_format_stops_the_start_up(production_env):
    result = manage("check", env={**production_env, "LOG_FORMAT": "xml"})

    assert result.returncode != 0
    assert "LOG_FORMAT vaut « json » ou « plain »." in result.stderr


def test_dev_logs_stay_plain_lines():
    script = "import logging; logging.getLogger('inscriptions').warning('place libérée')"

    result = manage("shell", "--no-imports", "-c", script, env={})

    assert "WARNING inscriptions [-] place libérée" in result.stderr


def test_links_in_e_mails_follow_the_address_served():
    values = settings_of(
        {"SITE_URL": "http://127.0.0.1:8123"}, "settings.PUBLIC_BASE_URL", "settings.WAGTAILADMIN_BASE_URL"
    )

    assert values == {
        "settings.PUBLIC_BASE_URL": "http://127.0.0.1:8123",
        "settings.WAGTAILADMIN_BASE_URL": "http://127.0.0.1:8123",
    }


@pytest.mark.postgres
def test_search_uses_postgresql_full_text_on_postgresql():
    from wagtail.search.backends import get_search_backend

    assert type(get_search_backend()).__name__ == "PostgresSearchBackend"


def test_production_sends_its_e_mail_through_the_task_worker(production_env):
    env = {**production_env, "EMAIL_HOST": "smtp.exemple.fr"}
    script = "from django.conf import settings; print('mail', settings.EMAIL_BACKEND, settings.EMAIL_DELIVERY_BACKEND)"

    result = manage("shell", "--no-imports", "-c", script, env=env)

    assert result.returncode == 0, result.stderr
    assert "mail home.mail.QueuedEmailBackend django.core.mail.backends.smtp.EmailBackend" in result.stdout
