from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from campus.permissions import CampusScopedPermissionPolicy
from inscriptions.models import Application, Referral
from inscriptions.permissions import ApplicationPermissionPolicy

register_permission_policy(Application, ApplicationPermissionPolicy(Application))
register_permission_policy(Referral, CampusScopedPermissionPolicy(Referral))

from inscriptions.admin_views import (  # noqa: E402  (the policy must be registered first)
    ApplicationsDashboardPanel,
    can_see_applications,
    can_see_payments,
)
from inscriptions.bulk_actions import BULK_TRANSITIONS  # noqa: E402
from inscriptions.referral_viewsets import ReferralViewSet  # noqa: E402
from inscriptions.services import offer_new_seats  # noqa: E402
from inscriptions.viewsets import ApplicationViewSet  # noqa: E402


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_applications(request.user)


class ReferralsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("inscriptions.view_referral")


class PaymentsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_payments(request.user)


@hooks.register("register_admin_viewset")
def register_application_viewset():
    return ApplicationViewSet()


@hooks.register("register_admin_viewset")
def register_referral_viewset():
    return ReferralViewSet()


@hooks.register("register_admin_menu_item")
def register_applications_menu():
    return SubmenuMenuItem(
        _("Candidatures"),
        Menu(
            items=[
                StaffMenuItem(_("Toutes les candidatures"), reverse("inscriptions_admin:index"), icon_name="form"),
                StaffMenuItem(
                    _("Suivis à faire"), reverse("inscriptions_admin:follow_ups_due"), icon_name="calendar-check"
                ),
                ReferralsMenuItem(
                    _("Orientations des partenaires"), reverse("referrals_admin:index"), icon_name="user"
                ),
                PaymentsMenuItem(_("Paiements"), reverse("inscriptions_admin:payments"), icon_name="tag"),
                StaffMenuItem(_("Mes notifications"), reverse("inscriptions_admin:notifications"), icon_name="mail"),
            ]
        ),
        name="candidatures",
        icon_name="form",
        order=200,
    )


@hooks.register("register_account_menu_item")
def register_notification_settings_link(request):
    if not can_see_applications(request.user):
        return None
    return {
        "url": reverse("inscriptions_admin:notifications"),
        "label": _("Mes notifications"),
        "help_text": _("Choisir les e-mails reçus au sujet des candidatures de votre campus."),
    }


@hooks.register("construct_homepage_panels")
def add_applications_panel(request, panels):
    if can_see_applications(request.user):
        panels.append(ApplicationsDashboardPanel(request.user))


for action_class in BULK_TRANSITIONS:
    hooks.register("register_bulk_action", action_class)


@hooks.register("register_session_buttons")
def attendance_button(session, user):
    if not can_see_applications(user):
        return []
    return [
        Button(
            _("Présences"),
            url=reverse("inscriptions_admin:attendance", args=[session.pk]),
            icon_name="table",
            priority=5,
        )
    ]


@hooks.register("register_session_buttons")
def session_people_button(session, user):
    if not can_see_applications(user):
        return []
    url = reverse("inscriptions_admin:session_people", args=[session.pk])
    return [Button(_("Personnes de la session"), url=url, icon_name="group", priority=15)]


@hooks.register("after_edit_session")
def offer_new_seats_after_edit(request, session):
    offer_new_seats(session)
