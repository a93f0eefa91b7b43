"""Checks on uploaded files. A CV is personal data opened by staff: only real, reasonably sized PDFs get in."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_HEADER = b"%PDF-"
PDF_TRAILER = b"%%EOF"
# The PDF specification tolerates junk before the header and after the end marker; 1 KB either side.
PDF_TOLERANCE = 1024


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
    head = upload.read(PDF_TOLERANCE + len(PDF_HEADER))
    upload.seek(max(upload.size - PDF_TOLERANCE, 0))
    tail = upload.read()
    upload.seek(0)
    if PDF_HEADER not in head or PDF_TRAILER not in tail:
        raise ValidationError(
            _("Ce fichier n’est pas un vrai PDF. Enregistrez votre CV au format PDF et choisissez-le à nouveau."),
            code="content",
        )
