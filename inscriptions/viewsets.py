"""The staff's back office for applications: a list, a detail page, and nothing that edits history."""

from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from campus.models import CampusPage
from inscriptions import admin_views
from inscriptions.admin_filters import SEARCH_FIELDS, ApplicationFilterSet, search_applications
from inscriptions.models import Application
from inscriptions.workflow import UNDECIDED


def session_label(application):
    session = application.session
    return _("%(formation)s, du %(start)s au %(end)s") % {
        "formation": session.formation.title,
        "start": session.start_date.strftime("%d/%m/%Y"),
        "end": session.end_date.strftime("%d/%m/%Y"),
    }


class WaitingColumn(Column):
    """'Sans réponse depuis N jours' on undecided applications past the reminder delay, nothing otherwise."""

    cell_template_name = "inscriptions/admin/waiting_cell.html"

    def __init__(self, name, now, **kwargs):
        super().__init__(name, **kwargs)
        self.now = now

    def get_value(self, instance):
        if not instance.is_overdue_for_review(self.now):
            return None
        days = (self.now - instance.submitted_at).days
        return ngettext("sans réponse depuis %(days)d jour", "sans réponse depuis %(days)d jours", days) % {
            "days": days
        }


class ApplicationIndexView(generic.IndexView):
    page_title = _("Candidatures")
    filterset_class = ApplicationFilterSet
    search_fields = SEARCH_FIELDS
    search_backend_name = None

    def get_base_queryset(self):
        return Application.objects.visible_to(self.request.user).select_related(
            "learner__user", "session__formation", "campus"
        )

    def search_queryset(self, queryset):
        return search_applications(queryset, self.search_query) if self.is_searching else queryset

    @cached_property
    def shows_campus(self):
        user = self.request.user
        return user.is_superuser or CampusPage.objects.filter(staff_group__in=user.groups.all()).count() > 1

    @cached_property
    def columns(self):
        columns = [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="application"),
            TitleColumn(
                "learner",
                label=_("Candidat·e"),
                accessor="learner",
                sort_key="learner__last_name",
                get_url=lambda application: reverse("inscriptions_admin:detail", args=[quote(application.pk)]),
                get_title_id=lambda application: f"application_{quote(application.pk)}_title",
            ),
            Column("session", label=_("Formation et session"), accessor=session_label),
        ]
        if self.shows_campus:
            columns.append(Column("campus", label=_("Campus"), accessor="campus.title"))
        now = timezone.now()
        columns += [
            StatusTagColumn(
                "status",
                label=_("Statut"),
                accessor="get_status_display",
                primary=lambda application: application.status in UNDECIDED,
            ),
            DateColumn("submitted_at", label=_("Envoyée"), sort_key="submitted_at"),
            WaitingColumn("waiting", now=now, label=_("Attente")),
        ]
        return columns


class ApplicationAdminURLFinder(ModelAdminURLFinder):
    edit_url_name = "inscriptions_admin:detail"

    def get_edit_url(self, instance):
        # "Edit" means opening the detail page, for whoever may see the application.
        if self.user and not Application.objects.visible_to(self.user).filter(pk=instance.pk).exists():
            return None
        return self.construct_edit_url(instance)


class ApplicationViewSet(ModelViewSet):
    model = Application
    name = "candidatures"
    url_namespace = "inscriptions_admin"
    icon = "form"
    menu_label = _("Candidatures")
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = ApplicationIndexView
    index_template_name = "inscriptions/admin/index.html"
    ordering = ["-submitted_at", "-pk"]
    list_per_page = 50

    url_finder_class = ApplicationAdminURLFinder

    def get_urlpatterns(self):
        # No add, edit, delete, copy, history or usage views: applications only move through transitions.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", admin_views.ApplicationDetailView.as_view(), name="detail"),
            path("<int:pk>/statut/", admin_views.TransitionView.as_view(), name="transition"),
            path("<int:pk>/notes/", admin_views.StaffNoteView.as_view(), name="add_note"),
            path("<int:pk>/accord-parental/", admin_views.GuardianConsentView.as_view(), name="guardian_consent"),
            path("<int:pk>/suivi/", admin_views.FollowUpView.as_view(), name="follow_up"),
            path("<int:pk>/cv/", admin_views.download_cv, name="cv"),
            path("suivis-a-faire/", admin_views.FollowUpsDueView.as_view(), name="follow_ups_due"),
            path("mes-notifications/", admin_views.NotificationSettingsView.as_view(), name="notifications"),
        ]

    def get_permissions_to_register(self):
        # Only what a campus team may be given: seeing and deciding.
        return Permission.objects.filter(
            content_type__app_label="inscriptions", codename__in=["view_application", "decide_application"]
        )
