from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from formations.api import FormationPageAPI
from formations.models import Session
from formations.permissions import SessionPermissionPolicy

register_permission_policy(Session, SessionPermissionPolicy(Session))

from formations.viewsets import (  # noqa: E402  (the policy must be registered before the viewsets load)
    CertificationViewSet,
    DomainViewSet,
    RomeCodeViewSet,
    SessionViewSet,
)


@hooks.register("register_admin_viewset")
def register_session_viewset():
    return SessionViewSet("sessions")


register_snippet(RomeCodeViewSet)
register_snippet(DomainViewSet)
register_snippet(CertificationViewSet)


@hooks.register("before_delete_page")
def refuse_to_delete_pages_with_sessions(request, page):
    sessions = Session.objects.under_pages([page]).count()
    if sessions:
        messages.error(
            request,
            _(
                "Cette page ne peut pas être supprimée : %(count)d session(s) y sont rattachées. "
                "Dépubliez-la plutôt, ou supprimez d'abord ses sessions."
            )
            % {"count": sessions},
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_bulk_action")
def refuse_to_bulk_delete_pages_with_sessions(request, action_type, objects, action_class_instance):
    # The bulk delete skips before_delete_page; without this check, PROTECT answers a server error.
    pages = [obj for obj in objects if isinstance(obj, Page)]
    if action_type != "delete" or not pages:
        return None
    sessions = Session.objects.under_pages(pages).count()
    if sessions:
        messages.error(
            request,
            _(
                "Ces pages ne peuvent pas être supprimées : %(count)d session(s) y sont rattachées. "
                "Dépubliez-les plutôt, ou supprimez d'abord leurs sessions."
            )
            % {"count": sessions},
        )
        return redirect(action_class_instance.next_url)
    return None


@hooks.register("register_api_page_type")
def formation_api():
    return FormationPageAPI()
