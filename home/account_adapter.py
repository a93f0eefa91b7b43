from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Sends each person, once signed in, to the space that is theirs."""

    def get_login_redirect_url(self, request):
        user = request.user
        if user.has_perm("wagtailadmin.access_admin"):
            return reverse("wagtailadmin_home")
        is_learner = hasattr(user, "learner")
        if not is_learner and user.funders.exists():
            return reverse("financeurs:index")
        return super().get_login_redirect_url(request)
