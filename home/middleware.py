from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

ADMIN_ACCESS = "wagtailadmin.access_admin"


class StaffOnlyAdminMiddleware:
    """Only campus teams and superusers enter /admin/: anyone else who is logged in gets a plain refusal.

    Wagtail would send them back to the login page, which sends a logged-in person on to /admin/: a loop.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.is_refused(request):
            space_url = get_adapter(request).get_login_redirect_url(request)
            return render(request, "home/admin_refused.html", {"space_url": space_url}, status=403)
        user = request.user
        if is_site_history(request) and user.is_authenticated and not user.is_superuser:
            # Wagtail's site history lists every campus's activity, with young people's names in its labels; each
            # team keeps the history of its own objects, on their pages.
            raise PermissionDenied
        return self.get_response(request)

    @staticmethod
    def is_refused(request):
        if not request.path.startswith(reverse("wagtailadmin_home")) or request.path == reverse("wagtailadmin_logout"):
            return False
        user = request.user
        return user.is_authenticated and not user.has_perm(ADMIN_ACCESS)


def is_site_history(request):
    return request.path.startswith(reverse("wagtailadmin_reports:site_history"))
