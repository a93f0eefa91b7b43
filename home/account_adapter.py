from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse

from home.tasks import send_account_email


def first_name(user, email):
    """The name to greet the owner of `email` with, "" if none is known: never a username they did not choose.
    The same lookup whether or not the address has an account, so the time taken tells nothing."""
    if user is None:
        user = get_user_model().objects.filter(emailaddress__email__iexact=email).select_related("learner").first()
    if user is None:
        return ""
    learner = getattr(user, "learner", None)
    return (learner.first_name if learner is not None else "") or user.first_name


class AccountAdapter(DefaultAccountAdapter):
    """Sends each person, once signed in, to the space that is theirs; sends account e-mails in the background."""

    def get_login_redirect_url(self, request):
        user = request.user
        if user.has_perm("wagtailadmin.access_admin"):
            return reverse("wagtailadmin_home")
        is_learner = hasattr(user, "learner")
        if not is_learner and user.funders.exists():
            return reverse("financeurs:index")
        return super().get_login_redirect_url(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts an account's failed logins under the request's host, port included: each server behind
        # the load balancer, and each port a guesser writes in the Host header, would get five more tries. One
        # site, one count per account.
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"tremplin:{login}"

    def send_mail(self, template_prefix, email, context):
        # Rendered now, sent by the worker: a signup answers as fast whether the e-mail is a code for a new
        # account or a note to someone who already has one, and a slow mail server never shows in the timing.
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                "first_name": first_name(context.get("user"), email),
                **context,
            },
        )
        send_account_email.enqueue(
            message.subject,
            message.body,
            message.from_email,
            list(message.to),
            [list(alternative) for alternative in getattr(message, "alternatives", [])],
            message.content_subtype,
        )
