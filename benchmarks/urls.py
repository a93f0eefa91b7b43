"""The site's URLs and, beside them, a bare Django view: the yardstick benchmarks.pages times in the same run."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]
