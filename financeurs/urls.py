from django.urls import include, path

from financeurs import views

app_name = "financeurs"

urlpatterns = [
    *views.urlpatterns,
    path("", include("financeurs.export_urls")),
]
