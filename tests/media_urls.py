"""The site's URLs with uploaded files served, as the web server or object store does in production.

Only for browser tests that measure what a page with images weighs: the live test server serves static files only.
"""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", media),
    path("", include("config.urls")),
]
