"""The admin's menus, as campus teams see them."""

from wagtail import hooks


@hooks.register("construct_reports_menu")
def site_history_for_superusers_only(request, menu_items):
    # Every campus's activity is there: a team reads the history of its own objects on their pages instead.
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]
