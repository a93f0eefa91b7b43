"""Filters of the staff's list of applications."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from formations.models import Session
from home.dates import FrenchDateRangePickerWidget
from home.text_search import folded, unaccent
from inscriptions.enums import AgeBand, QpvResidence
from inscriptions.models import Application
from inscriptions.services.attendance import flagged_applications
from inscriptions.services.ended_trainings import exits_to_record
from inscriptions.workflow import Status

# Staff read "ne sait pas", where the learner's form says "Je ne sais pas".
QPV_CHOICES = [
    (QpvResidence.YES.value, _("Oui")),
    (QpvResidence.NO.value, _("Non")),
    (QpvResidence.UNKNOWN.value, _("Ne sait pas")),
]


def visible_sessions(request):
    if request is None:
        return Session.objects.none()
    return Session.objects.visible_to(request.user).select_related("formation").order_by("start_date", "pk")


# Searched in the database: first and last names, account e-mail, formation title.
SEARCH_FIELDS = ["learner__first_name", "learner__last_name", "learner__user__email", "session__formation__title"]


def search_applications(queryset, text):
    """Every word must match one of the fields, accents and capitals aside: "ines benaissa" finds Inès Benaïssa.

    The names are compared as they are stored, folded on the fly (PostgreSQL's unaccent(), the same function in
    Python on SQLite: home/text_search.py), rather than copied into a search index or a folded column: they stay
    in one place, so an erased learner (her names blanked) can be found no more, and nothing can lag behind an
    edit. The list is one campus's applications, already narrowed by the filters: folding them costs little.
    """
    folded_fields = {f"search_{number}": folded(field) for number, field in enumerate(SEARCH_FIELDS)}
    queryset = queryset.alias(**folded_fields)
    for word in text.split():
        typed = unaccent(word).lower()
        query = Q()
        for name in folded_fields:
            query |= Q(**{f"{name}__contains": typed})
        queryset = queryset.filter(query)
    return queryset


class ApplicationFilterSet(WagtailFilterSet):
    session = django_filters.ModelChoiceFilter(
        label=_("Session"), queryset=visible_sessions, empty_label=_("Toutes les sessions")
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Statut"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    submitted_at = django_filters.DateFromToRangeFilter(
        label=_("Envoyée entre le"), widget=FrenchDateRangePickerWidget
    )
    qpv = django_filters.ChoiceFilter(
        label=_("Habite un quartier prioritaire (QPV)"),
        field_name="learner__qpv_residence",
        choices=QPV_CHOICES,
        empty_label=_("Tous"),
        widget=forms.RadioSelect,
    )
    age_band = django_filters.MultipleChoiceFilter(
        label=_("Âge à la candidature"),
        choices=AgeBand.choices,
        method="filter_age_band",
        widget=forms.CheckboxSelectMultiple,
    )
    exit_to_record = django_filters.BooleanFilter(
        label=_("Formation finie, sortie à enregistrer"),
        method="filter_exit_to_record",
        widget=forms.CheckboxInput,
    )
    long_absence = django_filters.BooleanFilter(
        label=_("Absence longue en cours (jours de cours de suite sans justificatif)"),
        method="filter_long_absence",
        widget=forms.CheckboxInput,
    )
    waiting_days = django_filters.NumberFilter(
        label=_("Sans réponse depuis plus de (jours)"),
        method="filter_waiting_days",
        min_value=0,
        max_value=3650,
    )

    class Meta:
        model = Application
        fields = []

    def filter_age_band(self, queryset, name, values):
        condition = Q()
        for value in values:
            low, high = AgeBand(value).bounds()
            band = Q(age_on_submission__gte=low)
            if high is not None:
                band &= Q(age_on_submission__lte=high)
            condition |= band
        return queryset.filter(condition)

    def filter_exit_to_record(self, queryset, name, checked):
        if not checked:
            return queryset
        return exits_to_record(queryset)

    def filter_long_absence(self, queryset, name, checked):
        if not checked:
            return queryset
        return flagged_applications(queryset)

    def filter_waiting_days(self, queryset, name, days):
        limit = timezone.now() - datetime.timedelta(days=int(days))
        return queryset.undecided().filter(submitted_at__lte=limit)
