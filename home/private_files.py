"""Handing out a private file (CV, import, export) once the view has checked who may have it."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect


def private_file_response(field_file, *, filename, content_type):
    """The file itself from a local folder; from an object store, a redirect to a link signed for this file alone
    that expires in PRIVATE_FILE_URL_EXPIRY seconds, so the bucket stays closed and the web server does not relay
    the bytes. Either way the browser saves it under `filename`, never the stored name."""
    storage = field_file.storage
    if getattr(storage, "querystring_auth", False):
        if not storage.exists(field_file.name):
            raise Http404
        url = storage.url(
            field_file.name,
            parameters={
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": content_type or "application/octet-stream",
            },
            expire=settings.PRIVATE_FILE_URL_EXPIRY,
        )
        return HttpResponseRedirect(url)
    try:
        opened = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(opened, as_attachment=True, filename=filename, content_type=content_type)
