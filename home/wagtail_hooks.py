"""The admin's menus, as campus teams see them."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from home import task_views


@hooks.register("construct_reports_menu")
def site_history_for_superusers_only(request, menu_items):
    # Every campus's activity is there: a team reads the history of its own objects on their pages instead.
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_admin_urls")
def register_failed_tasks_urls():
    urls = [
        path("", task_views.FailedTasksView.as_view(), name="index"),
        path("<uuid:pk>/reessayer/", task_views.retry_task, name="retry"),
    ]
    return [path("taches-en-echec/", include((urls, "failed_tasks"), namespace="failed_tasks"))]


@hooks.register("register_settings_menu_item")
def register_failed_tasks_menu():
    return SuperuserMenuItem(
        _("Tâches en échec"), reverse("failed_tasks:index"), name="failed-tasks", icon_name="warning", order=900
    )
