"""Files on an S3-compatible object store (moto's server here): private files leave only as short signed links,
after the permission check."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from config.settings.base import s3_storages
from home import health
from inscriptions.models import Application
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory
from tests.servers import make_buckets, s3_client, s3_environment

pytestmark = pytest.mark.postgres

PDF = b"%PDF-1.4\n%cv de test\n"


@pytest.fixture
def buckets(s3_endpoint):
    return make_buckets(s3_endpoint)


@pytest.fixture
def s3(s3_endpoint, buckets, monkeypatch):
    """The storages STORAGE_BACKEND=s3 builds, with the CV field pointing at the private one."""
    config = s3_storages(s3_environment(s3_endpoint, *buckets), expiry=60)
    media, private = (storages.create_storage(config[alias]) for alias in ("default", "private"))
    monkeypatch.setattr(Application._meta.get_field("cv"), "storage", private)
    return media, private


@pytest.fixture
def application(s3):
    campus = CampusPageFactory()
    application = ApplicationFactory(session=SessionFactory(formation=FormationPageFactory(parent=campus)))
    application.cv.save("cv.pdf", ContentFile(PDF))
    return application


def staff_of(application):
    return UserFactory(staff_of=application.session.formation.get_parent().specific)


def test_the_cv_is_stored_in_the_private_bucket(application, s3_endpoint, buckets):
    _media, private_bucket = buckets

    stored = s3_client(s3_endpoint).get_object(Bucket=private_bucket, Key=application.cv.name)

    assert stored["Body"].read() == PDF


def test_staff_get_the_cv_through_a_link_signed_for_one_minute(client, application):
    client.force_login(staff_of(application))

    response = client.get(f"/admin/candidatures/{application.pk}/cv/")

    assert response.status_code == 302
    link = response["Location"]
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
    assert f"cv-{application.pk}.pdf" in query["response-content-disposition"][0]
    assert "no-store" in response["Cache-Control"]
    download = requests.get(link, timeout=10)
    assert download.status_code == 200
    assert download.content == PDF


def test_the_private_bucket_gives_nothing_without_a_signature(application, s3_endpoint, buckets):
    _media, private_bucket = buckets

    grants = s3_client(s3_endpoint).get_object_acl(Bucket=private_bucket, Key=application.cv.name)["Grants"]

    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants)


def test_staff_of_another_campus_get_no_link(client, application):
    client.force_login(UserFactory(staff_of=CampusPageFactory()))

    response = client.get(f"/admin/candidatures/{application.pk}/cv/")

    assert response.status_code == 404
    assert "X-Amz" not in response.get("Location", "")


def test_a_cv_missing_from_the_bucket_is_a_404_not_a_dead_link(client, application, s3):
    _media, private = s3
    private.delete(application.cv.name)
    client.force_login(staff_of(application))

    assert client.get(f"/admin/candidatures/{application.pk}/cv/").status_code == 404


def test_the_health_check_reaches_the_buckets(s3):
    for storage in s3:
        health.storage_is_reachable(storage)


def test_the_health_check_names_a_missing_bucket(s3_endpoint):
    config = s3_storages(s3_environment(s3_endpoint, "pas-de-seau", "pas-de-seau-non-plus"), expiry=60)

    with pytest.raises(Exception, match="404|NoSuchBucket|Not Found"):
        health.storage_is_reachable(storages.create_storage(config["private"]))
