"""The staff's back office for applications: a list, a detail page, and nothing that edits history."""

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.formats.base_formats import CSV, XLSX
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from campus.permissions import campuses_of
from formations.enums import FeeKind
from home.dates import AbsoluteDateColumn, FrenchDateRangePickerWidget
from inscriptions import admin_views, attendance_views
from inscriptions.admin_filters import SEARCH_FIELDS, ApplicationFilterSet, search_applications
from inscriptions.models import Application, Payment, PaymentMethod, PaymentStatus, RefundState
from inscriptions.resources import PaymentResource
from inscriptions.session_people import SessionPeopleExportView, SessionPeopleView
from inscriptions.workflow import UNDECIDED, Status


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
        return user.is_superuser or campuses_of(user).count() > 1

    @cached_property
    def filtered_session(self):
        filters = self.filters
        if filters is None or not filters.is_valid():
            return None
        return filters.form.cleaned_data.get("session")

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        session = self.filtered_session
        if session is not None and self.request.user.has_perm("inscriptions.decide_application"):
            # The bulk "Début de la formation" for this session's enrolled people: one date for the whole group.
            index = f"{reverse('inscriptions_admin:index')}?{urlencode({'session': session.pk})}"
            query = urlencode({"next": index, "id": "all", "session": session.pk, "status": Status.ENROLLED})
            url = reverse("wagtail_bulk_action", args=["inscriptions", "application", "debut-formation"])
            buttons.append(HeaderButton(_("Tout le groupe a commencé…"), url=f"{url}?{query}", icon_name="date"))
        return buttons

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
            AbsoluteDateColumn("submitted_at", label=_("Envoyée"), sort_key="submitted_at"),
            WaitingColumn("waiting", now=now, label=_("Attente")),
        ]
        return columns


# --- Payments -----------------------------------------------------------------------------------


class PaymentFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("État"), choices=PaymentStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    method = django_filters.MultipleChoiceFilter(
        label=_("Moyen de paiement"), choices=PaymentMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    refund_state = django_filters.MultipleChoiceFilter(
        label=_("Remboursement"),
        field_name="refunds__state",
        choices=RefundState.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=True,
    )
    fee_kind = django_filters.ChoiceFilter(label=_("Nature"), choices=FeeKind.choices, empty_label=_("Toutes"))
    created_at = django_filters.DateFromToRangeFilter(label=_("Créé entre le"), widget=FrenchDateRangePickerWidget)
    paid_at = django_filters.DateFromToRangeFilter(label=_("Payé entre le"), widget=FrenchDateRangePickerWidget)

    class Meta:
        model = Payment
        fields = ["status", "refund_state", "method", "fee_kind", "created_at", "paid_at"]


def payment_refunded(payment):
    # From the prefetched refunds: a sum annotated in SQL would be counted twice over when the list is filtered
    # on the refunds' state (one more join on the same rows).
    refunded = admin_views.refunded_cents(payment, payment.refunds.all())
    return admin_views.euros(refunded) if refunded else ""


def payment_refund_states(payment):
    """Each refund of the payment with its state: staff see at a glance one that is owed, failing or failed."""
    return " ; ".join(
        f"{admin_views.euros(refund.amount_cents)} : {admin_views.refund_state_label(refund)}"
        for refund in payment.refunds.all()
    )


class PaymentIndexView(generic.IndexView):
    model = Payment
    page_title = _("Paiements")
    header_icon = "tag"
    index_url_name = "inscriptions_admin:payments"
    index_results_url_name = "inscriptions_admin:payments_results"
    filterset_class = PaymentFilterSet
    any_permission_required = None
    ordering = ["-created_at", "-pk"]
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not admin_views.can_see_payments(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return (
            admin_views.visible_payments(self.request.user)
            .select_related("application__learner", "application__session__formation", "application__campus")
            .prefetch_related("refunds")
        )

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, admin_views.INDEX_BREADCRUMB, {"url": "", "label": self.get_page_title()}]

    @cached_property
    def header_buttons(self):
        query = self.request.GET.copy()
        query.pop("p", None)
        buttons = []
        for export_format, label in [("csv", _("Télécharger en CSV")), ("xlsx", _("Télécharger en Excel (XLSX)"))]:
            query["format"] = export_format
            buttons.append(
                HeaderButton(
                    label,
                    url=f"{reverse('inscriptions_admin:payments_export')}?{query.urlencode()}",
                    icon_name="download",
                )
            )
        return buttons

    @cached_property
    def columns(self):
        return [
            AbsoluteDateColumn("created_at", label=_("Date"), sort_key="created_at"),
            TitleColumn(
                "learner",
                label=_("Candidat·e"),
                accessor="application.learner",
                get_url=lambda payment: (
                    reverse("inscriptions_admin:detail", args=[quote(payment.application_id)]) + "#paiements"
                ),
            ),
            Column(
                "session", label=_("Formation et session"), accessor=lambda payment: session_label(payment.application)
            ),
            Column("amount", label=_("Montant"), accessor=lambda payment: admin_views.euros(payment.amount_cents)),
            Column("fee_kind", label=_("Nature"), accessor="get_fee_kind_display"),
            Column("method", label=_("Moyen"), accessor="get_method_display"),
            StatusTagColumn(
                "status",
                label=_("État"),
                accessor="get_status_display",
                primary=lambda payment: payment.status == PaymentStatus.PENDING,
            ),
            Column("refunded", label=_("Remboursé"), accessor=payment_refunded),
            Column("refund_states", label=_("Remboursement"), accessor=payment_refund_states),
            Column("stripe_checkout_session_id", label=_("Session Stripe Checkout")),
            Column("stripe_payment_intent_id", label=_("Paiement Stripe")),
        ]


class PaymentExportView(PaymentIndexView):
    """The payments listed, with the same filters, as a CSV or XLSX file for reconciliation."""

    FORMATS = {"csv": CSV, "xlsx": XLSX}

    def get(self, request, *args, **kwargs):
        export_format = self.FORMATS.get(request.GET.get("format"), CSV)()
        queryset = self.get_queryset().prefetch_related("refunds")
        dataset = PaymentResource().export(queryset=queryset)
        response = HttpResponse(export_format.export_data(dataset), content_type=export_format.get_content_type())
        filename = f"paiements-{timezone.localdate():%Y-%m-%d}.{export_format.get_extension()}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


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
            path("<int:pk>/etape/<str:target>/", admin_views.StepView.as_view(), name="step"),
            path("<int:pk>/notes/", admin_views.StaffNoteView.as_view(), name="add_note"),
            path("<int:pk>/accord-parental/", admin_views.GuardianConsentView.as_view(), name="guardian_consent"),
            path("<int:pk>/suivi/", admin_views.FollowUpView.as_view(), name="follow_up"),
            path("<int:pk>/profil/", admin_views.EntryProfileView.as_view(), name="entry_profile"),
            path("<int:pk>/cv/", admin_views.download_cv, name="cv"),
            path("suivis-a-faire/", admin_views.FollowUpsDueView.as_view(), name="follow_ups_due"),
            path("mes-notifications/", admin_views.NotificationSettingsView.as_view(), name="notifications"),
            path("<int:pk>/paiements/", admin_views.ManualPaymentView.as_view(), name="manual_payment"),
            path("<int:pk>/paiements/<int:payment_pk>/rembourser/", admin_views.RefundView.as_view(), name="refund"),
            path("paiements/", PaymentIndexView.as_view(), name="payments"),
            path("paiements/resultats/", PaymentIndexView.as_view(results_only=True), name="payments_results"),
            path("paiements/export/", PaymentExportView.as_view(), name="payments_export"),
            path("presences/<int:session_pk>/", attendance_views.SessionAttendanceView.as_view(), name="attendance"),
            path(
                "presences/<int:session_pk>/emargement.xlsx",
                attendance_views.attendance_sheet_download,
                name="attendance_xlsx",
            ),
            path(
                "presences/<int:session_pk>/imprimer/",
                attendance_views.attendance_sheet_print,
                name="attendance_print",
            ),
            path(
                "presences/<int:session_pk>/<str:day>/<str:part>/",
                attendance_views.AttendanceSheetView.as_view(),
                name="attendance_sheet",
            ),
            path("sessions/<int:session_pk>/personnes/", SessionPeopleView.as_view(), name="session_people"),
            path(
                "sessions/<int:session_pk>/personnes/export/",
                SessionPeopleExportView.as_view(),
                name="session_people_export",
            ),
        ]

    def get_permissions_to_register(self):
        # Only what a campus team may be given: seeing and deciding.
        return Permission.objects.filter(
            content_type__app_label="inscriptions", codename__in=["view_application", "decide_application"]
        )
