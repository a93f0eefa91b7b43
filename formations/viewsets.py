import django_filters
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from formations.forms import SessionAdminForm
from formations.models import Certification, Domain, RomeCode, Session, capacity_below_seats_taken
from home.conflicts import retry_on_conflict
from home.dates import AbsoluteDateColumn, FrenchDateRangePickerWidget


class CampusScopedMixin:
    """Answer 404 for a session of a campus the user does not belong to, before any other check."""

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get(getattr(self, "pk_url_kwarg", "pk"))
        if pk is not None and not Session.objects.visible_to(request.user).filter(pk=unquote(str(pk))).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ProtectedDeleteMixin:
    """Refuse, with a message, to delete what other records still point to, rather than fail with a server error."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError as error:
            kinds = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
            messages.error(
                self.request,
                _("« %(object)s » ne peut pas être supprimé : des %(kinds)s y sont rattachées.")
                % {"object": self.object, "kinds": ", ".join(kinds)},
            )
            return HttpResponseRedirect(self.get_success_url())


class SessionFilterSet(WagtailFilterSet):
    start_date = django_filters.DateFromToRangeFilter(label=_("Début"), widget=FrenchDateRangePickerWidget)

    class Meta:
        model = Session
        fields = ["schedule", "applications_open"]


def session_buttons(session, user):
    """Buttons the apps above formations add to a session (inscriptions: its people list), by the
    `register_session_buttons` hook: each function takes the session and the user, and returns a list of Buttons."""
    return [button for hook in hooks.get_hooks("register_session_buttons") for button in hook(session, user)]


class SessionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return Session.objects.visible_to(self.request.user).select_related("formation", "campus")

    def get_list_more_buttons(self, instance):
        return [*super().get_list_more_buttons(instance), *session_buttons(instance, self.request.user)]


class CapacityBelowSeatsTaken(Exception):
    def __init__(self, taken):
        super().__init__(taken)
        self.taken = taken


class SessionEditView(CampusScopedMixin, generic.EditView):
    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, *session_buttons(self.object, self.request.user)]

    @retry_on_conflict
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except CapacityBelowSeatsTaken as error:
            form.add_error("capacity", capacity_below_seats_taken(error.taken))
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def save_instance(self):
        # The form checked the capacity against the seats taken when the page loaded; admissions went on since.
        # Read them again under the session's lock (the first lock of inscriptions/locking.py's order), which
        # every admission waits for until this edit is saved. (EditView.form_valid runs this in a transaction.)
        taken = (
            Session.objects.select_for_update(of=("self",), no_key=True)
            .values_list("seats_taken", flat=True)
            .get(pk=self.object.pk)
        )
        if self.object.capacity < taken:
            raise CapacityBelowSeatsTaken(taken)
        self.object.seats_taken = taken
        return super().save_instance()

    def run_after_hook(self):
        # Formations knows no app above it: those that care about an edited session (inscriptions offers
        # new seats to the waitlist) register for this hook in their wagtail_hooks.py, like after_edit_snippet.
        return self.run_hook("after_edit_session", self.request, self.object)


class SessionDeleteView(CampusScopedMixin, ProtectedDeleteMixin, generic.DeleteView):
    pass


class SessionCopyView(CampusScopedMixin, generic.CopyView):
    pass


class SessionHistoryView(CampusScopedMixin, history.HistoryView):
    pass


class SessionUsageView(CampusScopedMixin, usage.UsageView):
    pass


class SessionInspectView(CampusScopedMixin, generic.InspectView):
    pass


class SessionViewSet(ModelViewSet):
    model = Session
    icon = "date"
    menu_label = _("Sessions")
    menu_order = 210
    add_to_admin_menu = True
    index_view_class = SessionIndexView
    edit_view_class = SessionEditView
    delete_view_class = SessionDeleteView
    copy_view_class = SessionCopyView
    history_view_class = SessionHistoryView
    usage_view_class = SessionUsageView
    inspect_view_class = SessionInspectView
    list_display = [
        "formation",
        Column("campus", label=_("Campus"), accessor="campus.title"),
        AbsoluteDateColumn("start_date", label=_("Début"), sort_key="start_date"),
        AbsoluteDateColumn("end_date", label=_("Fin")),
        AbsoluteDateColumn("application_deadline", label=_("Limite de candidature")),
        Column("capacity", label=_("Places")),
        Column("seats_taken", label=_("Occupées")),
        Column("schedule", label=_("Rythme"), accessor="get_schedule_display"),
    ]
    filterset_class = SessionFilterSet
    search_fields = ["formation__title"]
    ordering = ["start_date"]
    edit_handler = ObjectList(
        [
            FieldPanel("formation"),
            FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date"), FieldPanel("application_deadline")]),
            FieldRowPanel([FieldPanel("capacity"), FieldPanel("schedule")]),
            FieldRowPanel([FieldPanel("price_cents"), FieldPanel("fee_kind")]),
            FieldPanel("schedule_details"),
            FieldPanel("applications_open"),
            MultiFieldPanel(
                [FieldPanel("venue_address"), FieldPanel("first_day_details")],
                heading=_("Le premier jour"),
                help_text=_("Envoyé à chaque personne admise ou inscrite, et affiché dans son espace."),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("class_days"),
                    FieldRowPanel([FieldPanel("morning_start"), FieldPanel("morning_end")]),
                    FieldRowPanel([FieldPanel("afternoon_start"), FieldPanel("afternoon_end")]),
                ],
                heading=_("Emploi du temps (feuilles de présence)"),
                help_text=_(
                    "Les jours et les horaires des cours : chaque matin et chaque après-midi de cours a sa feuille "
                    "de présence, et ses heures comptent pour les heures suivies."
                ),
            ),
        ],
        base_form_class=SessionAdminForm,
    )


class RomeCodeViewSet(SnippetViewSet):
    model = RomeCode
    icon = "suitcase"
    list_display = ["code", "label", "domain_label"]
    search_fields = ["code", "label"]
    list_filter = ["grand_domain_code"]


class DomainViewSet(SnippetViewSet):
    model = Domain
    icon = "tag"
    list_display = ["formacode", "label"]
    search_fields = ["formacode", "label"]


class CertificationViewSet(SnippetViewSet):
    model = Certification
    icon = "success"
    list_display = ["code", "title", "level", "active"]
    search_fields = ["code", "title"]
    list_filter = ["repertoire", "level", "active"]
