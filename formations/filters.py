"""The public catalogue's filters. Parameter names are French so that a shared link reads well."""

import operator
from functools import reduce

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, Value
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from campus.models import CampusPage
from formations.enums import CatalogueSort, CertificationLevel, EntryLevel, Format, Schedule
from formations.models import SEATS_LEFT, Domain, FormationPage, RomeCode, open_for_applications_lookups


class MinMaxWidget(django_filters.widgets.RangeWidget):
    """Two inputs, `<name>_min` and `<name>_max`, each with its own visible label."""

    suffixes = ["min", "max"]
    template_name = "formations/widgets/min_max.html"

    def __init__(self, labels, input_type="number", attrs=None):
        widget_class = forms.DateInput if input_type == "date" else forms.NumberInput
        widgets = (widget_class(attrs={"type": input_type, **(attrs or {})}),) * 2
        self.labels = labels
        super(django_filters.widgets.RangeWidget, self).__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], self.labels, strict=True):
            subwidget["bound_label"] = label
        return context


class ValuesChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """The options read as two columns (value, label), not as whole objects: a campus is a wide page row, costly to
    turn into an object, and the catalogue lists every campus on every request. Only rendering reads them;
    validation still looks the chosen object up in the queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.queryset.values_list(self.field.to_field_name or "pk", self.field.label_field)


class LabelledChoiceField(django_filters.fields.ModelChoiceField):
    """A model choice whose label is one column, `label_field`."""

    iterator = ValuesChoiceIterator
    label_field = None

    def label_from_instance(self, obj):
        return getattr(obj, self.label_field)


class CatalogueSelect(forms.Select):
    """Django's select, written in Python rather than through its templates: the catalogue writes about sixty
    options on every request, a fifth of its time under the profiler when the template engine wrote them. Same HTML
    as Django's Select (tests/formations/catalogue/test_widgets.py compares them); flat choices only, no groups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            # As Django does: only the first option with the value is selected in a single select.
            is_selected = option_value in selected
            if is_selected:
                selected = set()
            options.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    option_value,
                    mark_safe(" selected") if is_selected else "",
                    label,
                )
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            _flat_attrs(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),
        )


def _flat_attrs(attrs):
    """The attributes as django/forms/widgets/attrs.html writes them: True alone, False left out."""
    return mark_safe(
        "".join(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{conditional_escape(value)}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


class PageChoiceField(LabelledChoiceField):
    label_field = "title"

    def to_python(self, value):
        # A page's pk is a one-to-one key, which the ORM does not guard against integer overflow on SQLite.
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class PageChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PageChoiceField


class JobChoiceField(LabelledChoiceField):
    # A learner looks for a job by its name: its ROME code (M1805) says nothing to her.
    label_field = "label"


class JobChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = JobChoiceField


class DomainChoiceField(LabelledChoiceField):
    label_field = "label"


class DomainChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = DomainChoiceField


class CatalogueForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = CatalogueSelect(attrs=field.widget.attrs, choices=field.widget.choices)

    def full_clean(self):
        super().full_clean()
        # Tie each error to its input for screen readers (the error paragraph carries this id).
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}_erreur"}
                )

    def clean(self):
        cleaned = super().clean()
        for name, message in (
            ("debut", _("La première date doit venir avant la seconde.")),
            ("duree", _("La durée minimale doit être plus petite que la durée maximale.")),
        ):
            bounds = cleaned.get(name)
            if bounds and bounds.start is not None and bounds.stop is not None and bounds.start > bounds.stop:
                self.add_error(name, message)
        duration = cleaned.get("duree")
        if duration and any(bound is not None and bound < 0 for bound in (duration.start, duration.stop)):
            self.add_error("duree", _("Une durée ne peut pas être négative."))
        return cleaned


class FormationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Mots-clés"), method="filter_text", max_length=100)
    campus = PageChoiceFilter(
        label=_("Campus"),
        queryset=CampusPage.objects.live().order_by("title"),
        method="filter_campus",
        empty_label=_("Tous les campus"),
    )
    domaine = DomainChoiceFilter(
        label=_("Domaine"),
        field_name="domain",
        queryset=Domain.objects.filter(Exists(FormationPage.objects.live().filter(domain=OuterRef("pk")))),
        empty_label=_("Tous les domaines"),
    )
    niveau = django_filters.ChoiceFilter(
        label=_("Niveau de la certification"),
        field_name="certification__level",
        choices=CertificationLevel.choices,
        empty_label=_("Tous les niveaux"),
    )
    prerequis = django_filters.ChoiceFilter(
        label=_("Diplôme demandé à l'entrée"),
        field_name="entry_level",
        choices=EntryLevel.choices,
        empty_label=_("Peu importe"),
    )
    format = django_filters.ChoiceFilter(
        label=_("Où se passe la formation\u00a0?"),
        field_name="format",
        choices=Format.choices,
        empty_label=_("Peu importe"),
    )
    rythme = django_filters.ChoiceFilter(
        label=_("Rythme"), choices=Schedule.choices, method="filter_schedule", empty_label=_("Tous les rythmes")
    )
    gratuit = django_filters.BooleanFilter(
        label=_("Gratuites seulement"), widget=forms.CheckboxInput, method="filter_free"
    )
    places = django_filters.BooleanFilter(
        label=_("Places libres et candidatures ouvertes"), widget=forms.CheckboxInput, method="filter_open_seats"
    )
    debut = django_filters.DateFromToRangeFilter(
        label=_("Date de début"),
        method="filter_start",
        widget=MinMaxWidget(labels=(_("À partir du"), _("Jusqu'au")), input_type="date"),
    )
    duree = django_filters.RangeFilter(
        label=_("Durée (en heures)"),
        field_name="duration_hours",
        widget=MinMaxWidget(labels=(_("Au moins"), _("Au plus")), attrs={"min": 0}),
    )
    metier = JobChoiceFilter(
        label=_("Métier visé"),
        field_name="target_jobs",
        queryset=RomeCode.objects.filter(
            Exists(FormationPage.target_jobs.through.objects.filter(romecode=OuterRef("pk")))
        ).order_by("label"),
        to_field_name="code",
        empty_label=_("Tous les métiers"),
    )
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"), choices=CatalogueSort.choices, method="sort", empty_label=None, null_label=None
    )

    class Meta:
        model = FormationPage
        fields = []
        form = CatalogueForm

    def __init__(self, data=None, *args, **kwargs):
        # Keywords without a chosen order: the results come by relevance, and the form says so.
        if data is not None and (data.get("q") or "").strip() and not data.get("tri"):
            data = data.copy()
            data["tri"] = CatalogueSort.RELEVANCE
        super().__init__(data, *args, **kwargs)

    def filter_text(self, queryset, name, value):
        return queryset.matching(value) if value.strip() else queryset

    def filter_campus(self, queryset, name, campus):
        return queryset.filter(path__startswith=campus.path, depth=campus.depth + 1)

    # Rhythm, start dates and open seats are about sessions: one session must meet them all, and that session is
    # the one the card shows (filter_queryset). Each method leaves the formations as they are.

    def filter_schedule(self, queryset, name, value):
        return queryset

    def filter_free(self, queryset, name, value):
        # The same sessions as the price the card shows: free when none of the upcoming ones asks anything.
        return queryset.filter(highest_price_cents=0) if value else queryset

    def filter_open_seats(self, queryset, name, value):
        return queryset

    def filter_start(self, queryset, name, value):
        return queryset

    def session_conditions(self):
        """What the active filters ask of a session (a Q on Session), or None when they ask nothing."""
        data = self.form.cleaned_data
        conditions = []
        if data.get("rythme"):
            conditions.append(Q(schedule=data["rythme"]))
        start = data.get("debut")
        if start and start.start is not None:
            conditions.append(Q(start_date__gte=start.start))
        if start and start.stop is not None:
            conditions.append(Q(start_date__lte=start.stop))
        if data.get("places"):
            # « Places ouvertes » : the session accepts applications and has at least one seat left.
            conditions.append(Q(**open_for_applications_lookups(timezone.localdate())) & SEATS_LEFT)
        return reduce(operator.and_, conditions) if conditions else None

    def cards(self, pks):
        """The formations `pks` (a page of results, in order) as their cards show them, with the session the
        filters choose: the filters that found them are not asked again (a keyword search may have found
        thousands of ids)."""
        queryset = self.queryset
        if (sessions := self.session_conditions()) is not None:
            queryset = queryset.with_card_session(sessions)
        return queryset.in_order(pks)

    def sort(self, queryset, name, value):
        # The sort is applied in filter_queryset so that a missing or invalid value still sorts.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if (sessions := self.session_conditions()) is not None:
            queryset = queryset.with_card_session(sessions)
        sort = self.form.cleaned_data.get("tri") or CatalogueSort.START_DATE
        # Without keywords, relevance means nothing: the date decides.
        if sort == CatalogueSort.RELEVANCE and (self.form.cleaned_data.get("q") or "").strip():
            # No title has every word: the same relevance for all (a constant, that PostgreSQL would read as
            # the number of a column in ORDER BY), and the title decides.
            if isinstance(queryset.query.annotations.get("relevance"), Value):
                return queryset.order_by("title", "pk")
            return queryset.order_by(F("relevance").desc(nulls_last=True), "title", "pk")
        if sort == CatalogueSort.DURATION:
            return queryset.order_by("duration_hours", "title", "pk")
        if sort == CatalogueSort.TITLE:
            return queryset.order_by("title", "pk")
        return queryset.order_by(F("next_session_start").asc(nulls_last=True), "title", "pk")

    @property
    def active_filter_count(self):
        if not self.is_bound or not hasattr(self.form, "cleaned_data"):
            return 0
        return sum(
            1
            for key, value in self.form.cleaned_data.items()
            if key not in ("q", "tri")
            and value not in (None, "", False)
            and not (hasattr(value, "start") and value.start is None and value.stop is None)
        )


def query_parameters(form):
    """The names the catalogue reads in its query string: each filter's, `debut_min` and `debut_max` for a
    range, and the page number."""
    names = {"page"}
    for name, field in form.fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" for suffix in suffixes)
        else:
            names.add(name)
    return names
