"""Checks on uploaded files. A CV is personal data opened by staff: only real, reasonably sized PDFs get in."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PasswordType, PdfReader

PDF_HEADER = b"%PDF-"
# The PDF specification tolerates junk before the header; 1 KB of it.
PDF_TOLERANCE = 1024

NOT_A_PDF = "not-a-pdf"
LOCKED = "locked"


def validate_pdf(upload):
    if Path(upload.name or "").suffix.lower() != ".pdf":
        raise ValidationError(_("Le CV doit être un fichier PDF (son nom finit par .pdf)."), code="extension")
    if upload.size > settings.CV_MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("Ce fichier est trop lourd (%(size)s). Le maximum est %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(settings.CV_MAX_UPLOAD_SIZE)},
            code="size",
        )
    upload.seek(0)
    try:
        verdict = _read_pdf(upload)
    finally:
        upload.seek(0)
    if verdict == LOCKED:
        raise ValidationError(
            _(
                "Ce PDF est protégé par un mot de passe : l’équipe ne pourrait pas l’ouvrir. "
                "Enregistrez votre CV sans mot de passe et choisissez-le à nouveau."
            ),
            code="encrypted",
        )
    if verdict == NOT_A_PDF:
        raise ValidationError(
            _("Ce fichier n’est pas un vrai PDF. Enregistrez votre CV au format PDF et choisissez-le à nouveau."),
            code="content",
        )


def _read_pdf(upload):
    """Parse the file as a PDF: an HTML page or a ZIP archive that merely carries the PDF markers has no
    cross-reference table nor page tree, and is refused. Only the catalogue is read (its page count), never
    the pages themselves, so a large file costs no more than a small one."""
    if PDF_HEADER not in upload.read(PDF_TOLERANCE + len(PDF_HEADER)):
        return NOT_A_PDF
    upload.seek(0)
    try:
        reader = PdfReader(upload)
        # Protected only against editing, a PDF opens without a password: staff can read it.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return LOCKED
        pages = int(reader.root_object["/Pages"]["/Count"])
    except Exception:  # A damaged file can make the parser fail in any way: each means "not a PDF"...
        return LOCKED if _says_encrypted(upload) else NOT_A_PDF
    return None if pages >= 1 else NOT_A_PDF


def _says_encrypted(upload):
    # Some encryption methods need an optional library to be even tried: the trailer still says "encrypted".
    upload.seek(0)
    try:
        return PdfReader(upload).is_encrypted
    except Exception:  # ...as in _read_pdf.
        return False
