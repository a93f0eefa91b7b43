from allauth.account.views import LogoutView
from django.conf import settings
from django.urls import include, path
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home.api import api_router
from home.health import healthz
from home.seo import favicon_ico, robots_txt, sitemap
from home.views import glossary

# The admin and Wagtail's front-end login have no form of their own: it would skip the rate limits, the
# lock-out and the e-mail verification. Logging out from the admin is allauth's too: by POST only.
one_login = RedirectView.as_view(pattern_name="account_login", query_string=True)

urlpatterns = [
    # Answered by home.health.HealthCheckMiddleware before any other middleware; named here for reverse().
    path("healthz/", require_safe(healthz), name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("favicon.ico", favicon_ico, name="favicon_ico"),
    # The words of training and employment, explained once; content owned by the product, not by the campuses.
    path("glossaire/", glossary, name="glossary"),
    path("admin/login/", one_login),
    path("admin/logout/", LogoutView.as_view()),
    path("_util/login/", one_login),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("formations/", include("formations.urls")),
    path("api/v2/", api_router.urls),
    path("comptes/", include("allauth.urls")),
    path("financeurs/", include("financeurs.urls")),
    path("", include("inscriptions.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# The database out of reach for a moment answers 503 "try again", not 500 (see home/errors.py).
handler500 = "home.errors.server_error"
