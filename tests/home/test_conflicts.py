"""A transaction that loses a race runs again a few times; if it keeps losing, the visitor reads a French 503 page."""

import pytest
from django.db import IntegrityError, OperationalError, transaction
from django.test import Client, override_settings
from django.urls import include, path

from home import conflicts


class DeadlockDetected(Exception):
    """What psycopg raises, and Django wraps in an OperationalError: only its SQLSTATE matters here."""

    sqlstate = "40P01"


def deadlock():
    error = OperationalError("deadlock detected")
    error.__cause__ = DeadlockDetected("deadlock detected")
    return error


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(conflicts, "PAUSE_SECONDS", 0)


def failing(times, error=deadlock):
    calls = []

    @conflicts.retry_on_conflict
    def service():
        calls.append(1)
        if len(calls) <= times:
            raise error()
        return "fait"

    return service, calls


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_is_retried_and_the_second_try_succeeds():
    service, calls = failing(1)
    assert service() == "fait"
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_a_conflict_that_persists_is_given_up_after_three_tries():
    service, calls = failing(10)
    with pytest.raises(OperationalError):
        service()
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried():
    service, calls = failing(1, error=lambda: IntegrityError("duplicate key"))
    with pytest.raises(IntegrityError):
        service()
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_conflict_goes_to_whoever_opened_it():
    # The transaction is dead once PostgreSQL chose it as the victim: only its owner can run it again.
    service, calls = failing(1)
    with pytest.raises(OperationalError), transaction.atomic():
        service()
    assert len(calls) == 1


def always_in_conflict(request):
    raise deadlock()


def broken(request):
    raise OperationalError("disk full")


urlpatterns = [
    path("conflit/", always_in_conflict),
    path("panne/", broken),
    path("", include("config.urls")),
]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_conflict_left_after_the_retries_is_a_french_503_page_not_a_500():
    response = Client(raise_request_exception=False).get("/conflit/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Trop de demandes en même temps" in page
    assert "votre demande n’a pas été enregistrée" in page


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_any_other_database_error_stays_a_server_error():
    response = Client(raise_request_exception=False).get("/panne/")
    assert response.status_code == 500
    assert "Un problème est survenu de notre côté" in response.content.decode()


@pytest.mark.django_db
def test_the_503_page_asks_nothing_of_the_database(rf, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = conflicts.ConflictMiddleware(lambda request: None).process_exception(rf.get("/"), deadlock())
    assert response.status_code == 503
