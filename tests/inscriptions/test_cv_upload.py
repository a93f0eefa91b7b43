import io
import zipfile

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from inscriptions.enums import Availability
from inscriptions.models import Application
from inscriptions.validators import validate_pdf
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import LearnerFactory
from tests.inscriptions.pdfs import pdf


def zipped_with_pdf_markers():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("cv.txt", "Awa Diallo")
    return b"%PDF-1.4\n" + out.getvalue() + b"\n%%EOF\n"


PDF = pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
HTML_WITH_PDF_MARKERS = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
# The markers and objects of a PDF, but neither a cross-reference table nor a page.
HAND_MADE = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def cv(content=PDF, name="Awa Diallo CV.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def session():
    return SessionFactory()


@pytest.fixture
def learner(client):
    learner = LearnerFactory()
    client.force_login(learner.user)
    return learner


def apply(client, session, upload):
    return client.post(
        reverse("inscriptions:postuler", args=[session.pk]),
        {"motivation": "Je veux apprendre.", "availability": Availability.FULL, "cv": upload},
    )


def test_a_real_pdf_is_stored_privately_under_a_random_name(client, session, learner):
    response = apply(client, session, cv())

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.cv.storage is storages["private"]
    assert application.cv.name.startswith("cv/")
    assert application.cv.name.endswith(".pdf")
    assert "Awa" not in application.cv.name
    assert storages["private"].exists(application.cv.name)
    with application.cv.open("rb") as stored:
        assert stored.read() == PDF


def test_the_cv_is_optional(client, session, learner):
    response = client.post(
        reverse("inscriptions:postuler", args=[session.pk]),
        {"motivation": "Je veux apprendre.", "availability": Availability.FULL},
    )

    assert response.status_code == 302
    assert not Application.objects.get().cv


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (cv(name="cv.docx", content_type="application/msword"), "doit être un fichier PDF"),
        (cv(content=PNG, content_type="image/png"), "n’est pas un vrai PDF"),
        (cv(content=b"Awa Diallo, 20 ans, motivee.\n" * 10, content_type="text/plain"), "n’est pas un vrai PDF"),
        (cv(content=b"%PDF-1.4\n" + b"0" * 3000), "n’est pas un vrai PDF"),
        (cv(content=HTML_WITH_PDF_MARKERS, content_type="text/html"), "n’est pas un vrai PDF"),
        (cv(content=zipped_with_pdf_markers(), content_type="application/zip"), "n’est pas un vrai PDF"),
        (cv(content=HAND_MADE), "n’est pas un vrai PDF"),
        (cv(content=PDF[: len(PDF) // 2]), "n’est pas un vrai PDF"),
        (cv(content=pdf(password="secret")), "protégé par un mot de passe"),
    ],
    ids=[
        "wrong-extension",
        "png-renamed",
        "text-renamed",
        "truncated-pdf",
        "html-with-pdf-markers",
        "zip-with-pdf-markers",
        "markers-without-structure",
        "half-a-real-pdf",
        "password-protected",
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_is_saved(client, session, learner, upload, message):
    response = apply(client, session, upload)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'id="id_cv_error"' in page
    assert not Application.objects.exists()


@override_settings(CV_MAX_UPLOAD_SIZE=len(PDF) - 1)
def test_a_file_too_big_is_refused(client, session, learner):
    response = apply(client, session, cv())

    assert response.status_code == 200
    assert "trop lourd" in response.content.decode()
    assert not Application.objects.exists()


def test_a_pdf_with_a_little_junk_before_its_header_is_accepted():
    validate_pdf(cv(content=b"\r\n" * 10 + PDF))


def test_the_check_reads_the_page_count_but_never_the_pages(monkeypatch):
    def read_pages(reader):
        raise AssertionError("the pages were read")

    monkeypatch.setattr(PdfReader, "pages", property(read_pages))

    validate_pdf(cv(content=pdf(pages=200)))


def test_a_pdf_protected_only_against_editing_is_accepted_since_staff_can_open_it():
    validate_pdf(cv(content=pdf(password="")))


def test_the_cv_cannot_be_downloaded_from_the_public_site(client, session, learner):
    apply(client, session, cv())
    application = Application.objects.get()

    page = client.get(reverse("inscriptions:espace")).content.decode()

    assert application.cv.name not in page
    assert client.get(f"/media/{application.cv.name}").status_code == 404
