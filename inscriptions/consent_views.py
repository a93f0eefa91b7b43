"""A new version of the privacy notice: the learner reads what changed and accepts it before going on.

Only her own pages wait for it (the space, applying, paying); reading the notice, downloading her data, deleting
her account and logging out never do, so that nobody is trapped behind a text they refuse.
"""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from inscriptions import services


def notice_context():
    """The notice's version and the retention periods it quotes, read from the settings that apply them."""
    return {
        "version": settings.PRIVACY_NOTICE_VERSION,
        "guardian_days": settings.GUARDIAN_CONSENT_MAX_AGE_DAYS,
        "inactive_days": settings.INACTIVE_ACCOUNT_DAYS,
        "inactive_notice_days": settings.INACTIVE_ACCOUNT_NOTICE_DAYS,
        "unused_referral_days": settings.UNUSED_REFERRAL_DAYS,
        "stripe_event_days": settings.STRIPE_EVENT_RETENTION_DAYS,
        "log_entry_days": settings.LOG_ENTRY_RETENTION_DAYS,
        "task_result_days": settings.TASK_RESULT_RETENTION_DAYS,
        "data_job_days": settings.DATA_JOB_RETENTION_DAYS,
        "survey_days": settings.FOLLOW_UP_SURVEY_VALID_DAYS,
        "participant_file_k": settings.PARTICIPANT_FILE_K,
    }


def _learner(user):
    return getattr(user, "learner", None) if user.is_authenticated else None


def current_consent_required(view):
    """Send a learner who accepted an earlier notice to accept the current one, then back where she was going.

    Staff and funders have no learner profile and pass; so does a person who never accepted any notice (the
    profile step asks her the first time)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        learner = _learner(request.user)
        if learner is not None and learner.must_renew_consent:
            # A form sent to a page that only takes forms cannot be replayed: she comes back to her space.
            going_to = request.get_full_path() if request.method in ("GET", "HEAD") else reverse("inscriptions:espace")
            return redirect(f"{reverse('inscriptions:accepter_notice')}?{urlencode({'next': going_to})}")
        return view(request, *args, **kwargs)

    return wrapper


def _next_url(request):
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return reverse("inscriptions:espace")


@never_cache
@login_required
def accept_notice(request):
    learner = _learner(request.user)
    next_url = _next_url(request)
    if learner is None or not learner.must_renew_consent:
        return redirect(next_url)
    if request.method == "POST":
        services.renew_consent(learner)
        messages.success(request, _("Merci : vous avez accepté la nouvelle version de la notice."))
        return redirect(next_url)
    return render(
        request,
        "inscriptions/espace/accept_notice.html",
        {**notice_context(), "learner": learner, "next_url": next_url},
    )
