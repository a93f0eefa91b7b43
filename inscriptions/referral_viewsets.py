"""Young people sent by partners (Mission Locale, France Travail…), as the campus's team sees and keeps them."""

from django import forms
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet

from campus.permissions import campuses_of
from formations.forms import formations_editable_by
from home.dates import AbsoluteDateColumn
from inscriptions.models import Referral


class ReferralScopedMixin:
    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get(getattr(self, "pk_url_kwarg", "pk"))
        if pk is not None and not Referral.objects.visible_to(request.user).filter(pk=unquote(str(pk))).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ReferralIndexView(generic.IndexView):
    def get_base_queryset(self):
        return Referral.objects.visible_to(self.request.user).select_related("campus", "formation", "learner")


class ReferralEditView(ReferralScopedMixin, generic.EditView):
    pass


class ReferralDeleteView(ReferralScopedMixin, generic.DeleteView):
    pass


class ReferralHistoryView(ReferralScopedMixin, history.HistoryView):
    pass


class ReferralUsageView(ReferralScopedMixin, usage.UsageView):
    pass


class ReferralAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["campus"].queryset = campuses_of(user)
        self.fields["campus"].widget = forms.Select(choices=self.fields["campus"].choices)
        self.fields["formation"].queryset = formations_editable_by(user)
        self.fields["formation"].widget = forms.Select(choices=self.fields["formation"].choices)


class ReferralViewSet(ModelViewSet):
    model = Referral
    url_prefix = "orientations"
    url_namespace = "referrals_admin"
    icon = "user"
    menu_label = _("Orientations des partenaires")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ReferralIndexView
    edit_view_class = ReferralEditView
    delete_view_class = ReferralDeleteView
    history_view_class = ReferralHistoryView
    usage_view_class = ReferralUsageView
    list_display = [
        "last_name",
        "first_name",
        "email",
        Column("partner_name", label=_("Structure")),
        Column("formation", label=_("Formation envisagée"), accessor="formation"),
        AbsoluteDateColumn("referred_on", label=_("Orienté·e le"), sort_key="referred_on"),
        Column("learner", label=_("A candidaté au campus"), accessor="learner"),
    ]
    list_filter = ["partner_kind", "referred_on"]
    search_fields = ["last_name", "first_name", "email", "partner_name"]
    ordering = ["-referred_on"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("campus"), FieldPanel("referred_on")]),
            FieldRowPanel([FieldPanel("partner_kind"), FieldPanel("partner_name"), FieldPanel("adviser")]),
            FieldRowPanel([FieldPanel("first_name"), FieldPanel("last_name")]),
            FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
            FieldRowPanel([FieldPanel("birth_date"), FieldPanel("postcode")]),
            FieldPanel("formation"),
        ],
        base_form_class=ReferralAdminForm,
    )
