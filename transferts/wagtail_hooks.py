from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from transferts import views
from transferts.jobs import allowed_kinds

import_urls = [
    path("", views.ImportStartView.as_view(), name="start"),
    path("<int:pk>/", views.ImportJobView.as_view(), name="job"),
    path("<int:pk>/confirmer/", views.confirm_import, name="confirm"),
    path("<int:pk>/annuler/", views.cancel_import, name="cancel"),
    path("modele/<slug:kind>.csv", views.download_template, name="template"),
]


class ImportsMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(allowed_kinds(request.user))


@hooks.register("register_admin_urls")
def register_import_urls():
    return [path("imports/", include((import_urls, "imports"), namespace="imports"))]


@hooks.register("register_admin_menu_item")
def register_imports_menu():
    return ImportsMenuItem(_("Imports"), reverse("imports:start"), name="imports", icon_name="upload", order=900)
