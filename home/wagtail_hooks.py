"""The admin's menus, as campus teams see them."""

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from home import page_cache, task_views


@hooks.register("before_serve_page")
def cache_public_pages(page, request, serve_args, serve_kwargs):
    """Pages whose class says `public_page_cache` are the same for every anonymous visitor: stored for them.
    Not a page behind a password or a login (Wagtail's view restrictions)."""
    # Read whole, not with exists(): Wagtail's own check reads the same restrictions, kept on the page (home.routing).
    if getattr(page, "public_page_cache", False) and not page.get_view_restrictions():
        page_cache.mark_cacheable(request)


@hooks.register("insert_global_admin_css")
def admin_stylesheet():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


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
