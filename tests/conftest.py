import pytest
from django.db import connection


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test may use the database; PostgreSQL-only tests run in the PostgreSQL pass only.

    They are deselected (not skipped) elsewhere, and .ci/run runs both passes, so each test runs.
    """
    on_postgres = connection.vendor == "postgresql"
    kept, deselected = [], []
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)
        if item.get_closest_marker("postgres"):
            if not on_postgres:
                deselected.append(item)
                continue
            # One xdist worker runs them one after another (`--dist loadgroup`): two tests of fifty threads
            # each, on two workers at once, would pass PostgreSQL's default limit of 100 connections.
            if item.get_closest_marker("xdist_group") is None:
                item.add_marker(pytest.mark.xdist_group("postgres"))
        kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty local-memory cache: no public page stored by a test whose database rows
    were rolled back since (home.page_cache)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """The site's home page and campus index, built once per test database rather than in each test.

    Each test's transaction rolls back to them; after a transactional test's flush, the factories build them again.
    """
    from tests.campus.factories import default_campus_index

    with django_db_blocker.unblock():
        if request.config.getoption("nomigrations"):
            full_text_search_as_migrations_leave_it()
        default_campus_index()
        # A serialized-rollback test restores the database to the snapshot taken when it was created, before the
        # pages above: taken again now, the snapshot holds them, so restoring it never adds a second default site.
        if hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()


def full_text_search_as_migrations_leave_it():
    """A test database built without migrations (--no-migrations) searches as a migrated one does.

    Without them, SQLite's full-text table is a plain table (Wagtail's migration makes it an FTS5 table, fed by
    triggers) and PostgreSQL lacks the `unaccent` extension and the text-search configurations (home's migration
    `french_unaccent`). Both are made here as the migrations make them; a migrated database is left to them, so
    that a run with migrations tests the migrations.
    """
    from home.text_search import CREATE_SEARCH_CONFIG_SQL

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(CREATE_SEARCH_CONFIG_SQL)
            return
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'wagtailsearch_indexentry_fts'")
        if "VIRTUAL" in cursor.fetchone()[0].upper():
            return
        cursor.execute("DROP TABLE wagtailsearch_indexentry_fts")
        cursor.execute("CREATE VIRTUAL TABLE wagtailsearch_indexentry_fts USING fts5(autocomplete, body, title)")
        for event, action in (
            (
                "INSERT",
                "INSERT INTO wagtailsearch_indexentry_fts(title, body, autocomplete, rowid) "
                "VALUES (NEW.title, NEW.body, NEW.autocomplete, NEW.id);",
            ),
            (
                "UPDATE",
                "UPDATE wagtailsearch_indexentry_fts SET title=NEW.title, body=NEW.body, "
                "autocomplete=NEW.autocomplete WHERE rowid=NEW.id;",
            ),
            ("DELETE", "DELETE FROM wagtailsearch_indexentry_fts WHERE rowid=OLD.id;"),
        ):
            cursor.execute(
                f"CREATE TRIGGER {event.lower()}_wagtailsearch_indexentry_fts AFTER {event} "
                f"ON wagtailsearch_indexentry BEGIN {action} END"
            )


@pytest.fixture
def fresh_install():
    """The site as `migrate` leaves it, before any page of ours: Wagtail's welcome page is the site's root."""
    from wagtail.models import Page, Site

    from tests.home.factories import site_home_page

    site_home_page()  # the tree root, locale and root collection, whatever a transactional test flushed
    root = Page.get_first_root_node()
    for page in root.get_children():
        page.delete()
    welcome = root.add_child(instance=Page(title="Welcome to your new Wagtail site!", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": welcome, "site_name": ""}
    )
    return welcome


@pytest.fixture
def home_page():
    from tests.home.factories import site_home_page

    return site_home_page()


@pytest.fixture
def campus_index(home_page):
    from tests.campus.factories import default_campus_index

    return default_campus_index()


# --- Real browser -------------------------------------------------------------------------------

# Every wait of a browser test is bounded: an element that never comes fails the test in 10 s.
BROWSER_TIMEOUT_MS = 10_000
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser. Missing Chromium fails the test."""
    import os
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    executable = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    assert executable.exists(), f"Chromium est introuvable ({executable}) : lancez `make chromium`."
    # Playwright's sync API runs an event loop; the ORM calls made by the test itself are still sequential.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser):
    """Browser contexts in French with bounded waits (BROWSER_TIMEOUT_MS), closed at the end of the test even when
    it fails: `new_context(viewport=..., java_script_enabled=False)`."""
    contexts = []

    def new(**options):
        context = browser.new_context(locale="fr-FR", **options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


# --- Real services: Redis, S3 (moto) ------------------------------------------------------------


@pytest.fixture
def shared_cache(settings):
    """The Redis on loopback as the cache, under keys of this test alone, flushed after it (those keys only)."""
    from tests.servers import REDIS_URL, flush_prefix, worker_prefix

    prefix = worker_prefix()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    }
    yield prefix
    flush_prefix(prefix)


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server, started once per test process on a free loopback port."""
    from tests.servers import s3_server

    with s3_server(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint
