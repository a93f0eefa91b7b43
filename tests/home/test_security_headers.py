"""Headers every response carries, and the request size every visitor is held to."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory
from tests.inscriptions.pdfs import pdf

pytestmark = pytest.mark.django_db


def directives(header):
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in header.split(";"))


def features(header):
    return dict(part.strip().split("=", 1) for part in header.split(","))


def is_private(response):
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= cache_control


@pytest.fixture
def learner(client):
    learner = LearnerFactory()
    client.force_login(learner.user)
    return learner


@pytest.fixture
def application(learner):
    application = ApplicationFactory(learner=learner, session=SessionFactory())
    application.cv.save("cv.pdf", ContentFile(pdf()))
    return application


@pytest.fixture
def staff(client, application):
    user = UserFactory(staff_of=application.session.campus)
    client.force_login(user)
    return user


# --- Permissions-Policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/comptes/login/", "/page-qui-n-existe-pas/"])
def test_every_response_forbids_the_powerful_browser_features(client, home_page, path):
    policy = features(client.get(path)["Permissions-Policy"])

    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert policy[feature] == "()", feature


# --- Content-Security-Policy ----------------------------------------------------------------------------------


def test_the_admin_carries_a_report_only_policy_and_still_works(client, staff):
    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy-Report-Only"])
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'"
    assert "Content-Security-Policy" not in response


def test_the_admin_login_page_carries_the_report_only_policy(client):
    assert "script-src" in client.get("/admin/login/")["Content-Security-Policy-Report-Only"]


def test_the_public_site_keeps_its_strict_enforced_policy(client, home_page):
    response = client.get("/")

    assert directives(response["Content-Security-Policy"])["script-src"] == "'self'"
    assert "Content-Security-Policy-Report-Only" not in response


# --- Cache-Control ------------------------------------------------------------------------------------------


def test_a_public_page_seen_anonymously_may_be_cached(client, home_page):
    assert not is_private(client.get("/"))


def test_any_page_seen_by_someone_logged_in_is_private(client, home_page, learner):
    assert is_private(client.get("/"))


@pytest.mark.parametrize(
    "name", ["inscriptions:espace", "inscriptions:profil", "inscriptions:mes_donnees", "inscriptions:supprimer"]
)
def test_the_learner_space_is_never_stored(client, application, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert is_private(response)


def test_the_application_form_and_its_receipt_are_never_stored(client, application):
    form = client.get(reverse("inscriptions:postuler", args=[SessionFactory().pk]))
    receipt = client.get(reverse("inscriptions:postuler_envoye", args=[application.pk]))

    assert (form.status_code, receipt.status_code) == (200, 200)
    assert is_private(form)
    assert is_private(receipt)


def test_the_login_page_is_never_stored(client):
    assert is_private(client.get(reverse("account_login")))


def test_the_staff_cv_download_and_the_application_page_are_never_stored(client, application, staff):
    cv = client.get(reverse("inscriptions_admin:cv", args=[application.pk]))
    detail = client.get(reverse("inscriptions_admin:detail", args=[application.pk]))

    assert (cv.status_code, detail.status_code) == (200, 200)
    assert is_private(cv)
    assert is_private(detail)


def test_the_admin_is_never_stored(client, staff):
    assert is_private(client.get(reverse("wagtailadmin_home")))
    assert is_private(client.get("/admin/login/"))


# --- Request size -------------------------------------------------------------------------------------------


def test_a_request_body_over_the_public_limit_is_refused_before_anything_reads_it(client, settings, home_page):
    settings.REQUEST_BODY_MAX_SIZE = 1000

    response = client.post(reverse("account_login"), {"login": "a@exemple.fr", "password": "x" * 2000})

    assert response.status_code == 413
    assert "trop volumineuse" in response.content.decode()


def test_a_cv_over_the_public_limit_is_refused(client, settings, application):
    settings.REQUEST_BODY_MAX_SIZE = 1000

    response = client.post(
        reverse("inscriptions:postuler", args=[SessionFactory().pk]),
        {"motivation": "Je veux apprendre.", "cv": SimpleUploadedFile("cv.pdf", b"%PDF-" + b"0" * 2000)},
    )

    assert response.status_code == 413


def test_the_staff_imports_keep_their_own_larger_limit(client, settings, staff):
    settings.REQUEST_BODY_MAX_SIZE = 1000
    settings.STAFF_REQUEST_BODY_MAX_SIZE = 100_000
    rows = "n° de candidature;moment;situation\n" + "12;sortie;emploi\n" * 100

    response = client.post(
        reverse("imports:start"), {"kind": "suivis", "file": SimpleUploadedFile("suivis.csv", rows.encode())}
    )

    assert response.status_code != 413


def test_the_staff_limit_holds_too(client, settings, staff):
    settings.STAFF_REQUEST_BODY_MAX_SIZE = 1000

    response = client.post(
        reverse("imports:start"), {"kind": "suivis", "file": SimpleUploadedFile("suivis.csv", b"0" * 2000)}
    )

    assert response.status_code == 413
