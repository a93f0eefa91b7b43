"""Formations in the public API (home/api.py, docs/api.md): the catalogue's own filters, under the same names."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property

from formations.filters import FormationFilterSet
from formations.models import FormationPage, Session
from home.api import FilterError, PageTypeAPI


class FormationPageAPI(PageTypeAPI):
    model = FormationPage
    # `?format=`, `?q=` and the others are the catalogue's filters, not Wagtail's: one meaning per name.
    wagtail_filters = False

    @cached_property
    def query_parameters(self):
        return frozenset(name for names in self.parameters_by_field.values() for name in names)

    @cached_property
    def parameters_by_field(self):
        """{form field: its query parameters}: a range reads two, `debut_min` and `debut_max`."""
        form = FormationFilterSet().form
        return {
            name: [f"{name}_{suffix}" for suffix in getattr(field.widget, "suffixes", [])] or [name]
            for name, field in form.fields.items()
        }

    def get_queryset(self, request, queryset):
        today = timezone.localdate()
        upcoming = Session.objects.upcoming(today).order_by("start_date", "pk")
        return queryset.for_catalogue(today).prefetch_related(
            "target_jobs", Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions")
        )

    def filter_queryset(self, request, queryset):
        filterset = FormationFilterSet(request.GET, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise FilterError(
                {
                    self.parameter_names(request, field): [str(message) for message in messages]
                    for field, messages in filterset.errors.items()
                }
            )
        return filterset.qs

    def parameter_names(self, request, field):
        names = self.parameters_by_field.get(field, [field])
        return ", ".join([name for name in names if name in request.GET] or names)

    def prepare(self, pages):
        return FormationPage.attach_campuses(pages)
