"""Funders and their agreements in the Wagtail admin, scoped to each team's campuses."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from financeurs.admin_forms import AgreementAdminForm, FunderAdminForm
from financeurs.models import Agreement, Funder
from formations.viewsets import ProtectedDeleteMixin
from home.dates import AbsoluteDateColumn


class AgreementScopedMixin:
    """Answer 404 for an agreement that covers none of the user's campuses, before any other check."""

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get(getattr(self, "pk_url_kwarg", "pk"))
        if pk is not None and not Agreement.objects.visible_to(request.user).filter(pk=unquote(str(pk))).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class AgreementEditableMixin(AgreementScopedMixin):
    """An agreement shared with another campus is read-only to a team: refuse the change before the form."""

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get(getattr(self, "pk_url_kwarg", "pk"))
        visible = Agreement.objects.visible_to(request.user).filter(pk=unquote(str(pk)))
        if visible.exists() and not Agreement.objects.editable_by(request.user).filter(pk=unquote(str(pk))).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FunderEditableMixin:
    """A funder of another campus's agreements is read-only to a team: refuse the change before the form."""

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get(getattr(self, "pk_url_kwarg", "pk"))
        if pk is not None and not Funder.objects.editable_by(request.user).filter(pk=unquote(str(pk))).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FunderEditView(FunderEditableMixin, generic.EditView):
    pass


class FunderDeleteView(FunderEditableMixin, ProtectedDeleteMixin, generic.DeleteView):
    pass


class FunderHistoryView(FunderEditableMixin, history.HistoryView):
    """Who changed a funder and when: for those who may change it, not the teams of its other campuses."""


class FunderUsageView(FunderEditableMixin, usage.UsageView):
    """The agreements that name a funder would list another campus's agreements to a team that is not theirs."""


class AgreementIndexView(generic.IndexView):
    def get_base_queryset(self):
        return Agreement.objects.visible_to(self.request.user).select_related("funder")


class AgreementEditView(AgreementEditableMixin, generic.EditView):
    pass


class AgreementDeleteView(AgreementEditableMixin, generic.DeleteView):
    pass


class AgreementInspectView(AgreementScopedMixin, generic.InspectView):
    pass


class AgreementHistoryView(AgreementScopedMixin, history.HistoryView):
    pass


class AgreementUsageView(AgreementScopedMixin, usage.UsageView):
    pass


class AgreementViewSet(ModelViewSet):
    model = Agreement
    url_prefix = "conventions"
    url_namespace = "conventions_admin"
    icon = "doc-full"
    menu_label = _("Conventions")
    index_view_class = AgreementIndexView
    edit_view_class = AgreementEditView
    delete_view_class = AgreementDeleteView
    inspect_view_class = AgreementInspectView
    history_view_class = AgreementHistoryView
    usage_view_class = AgreementUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "reference",
        "title",
        Column("funder", label=_("Financeur"), accessor="funder.name"),
        AbsoluteDateColumn("start_date", label=_("Début"), sort_key="start_date"),
        AbsoluteDateColumn("end_date", label=_("Fin")),
        Column("amount", label=_("Montant (€)")),
        Column("seats_funded", label=_("Places")),
    ]
    list_filter = ["funder__kind", "start_date"]
    search_fields = ["reference", "title", "funder__name"]
    ordering = ["-start_date"]
    inspect_view_fields = [
        "reference",
        "title",
        "funder",
        "start_date",
        "end_date",
        "amount",
        "seats_funded",
        "campuses",
        "formations",
        "sessions",
        "requires_named_data",
        "notes",
    ]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("reference"), FieldPanel("funder")]),
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
            FieldRowPanel([FieldPanel("amount"), FieldPanel("seats_funded")]),
            MultiFieldPanel(
                [FieldPanel("campuses"), FieldPanel("formations"), FieldPanel("sessions")],
                heading=_("Ce que la convention finance"),
            ),
            FieldPanel("requires_named_data"),
            InlinePanel(
                "targets",
                heading=_("Objectifs"),
                label=_("Objectif"),
                help_text=_(
                    "Par exemple : 60 % de sorties positives à 6 mois, 30 % de femmes, 50 % d’habitant·es QPV."
                ),
                panels=[FieldRowPanel([FieldPanel("indicator"), FieldPanel("value")])],
            ),
            FieldPanel("notes"),
        ],
        base_form_class=AgreementAdminForm,
    )


class FunderViewSet(ModelViewSet):
    model = Funder
    url_prefix = "financeurs"
    url_namespace = "financeurs_admin"
    icon = "group"
    menu_label = _("Financeurs")
    edit_view_class = FunderEditView
    delete_view_class = FunderDeleteView
    history_view_class = FunderHistoryView
    usage_view_class = FunderUsageView
    copy_view_enabled = False
    list_display = ["name", Column("kind", label=_("Type"), accessor="get_kind_display"), "contact_email"]
    list_filter = ["kind"]
    search_fields = ["name"]
    ordering = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("contact_email")]),
            FieldPanel("members"),
        ],
        base_form_class=FunderAdminForm,
    )


class FundingViewSetGroup(ViewSetGroup):
    menu_label = _("Financements")
    menu_icon = "doc-full"
    menu_order = 230
    items = (AgreementViewSet, FunderViewSet)
