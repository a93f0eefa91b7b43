"""Real PDF files for the tests, written by a PDF library so that the CV check's parser accepts them."""

import io

from pypdf import PdfWriter


def pdf(password=None, pages=1):
    """Blank A4 pages; with a password, encrypted (an empty one only forbids editing)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="équipe", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
