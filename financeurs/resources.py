"""What funders download: one row per indicator of a report, one row per participant.

These resources are the single definition of the columns and their values. Values stay typed (dates, numbers,
booleans, None when unknown) and each writer of financeurs/exports.py renders them as its format expects; the
widget of each field says the column's type to the writers.

IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT would turn every cell into text, so formulas are neutralised here, in the
free-text columns only (see inscriptions/resources.py).
"""

import operator

from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.fields import Field

from financeurs.enums import IndicatorCode
from financeurs.indicators import compute

PROGRESS_EVERY = 1000


def memoised(function):
    """`function` computed once per distinct value (campus and formation titles, dates repeat a lot); a hit is a
    dict lookup."""

    class Cache(dict):
        def __missing__(self, value):
            self[value] = result = function(value)
            return result

    return Cache().__getitem__


def labels(choices):
    """Labels of a TextChoices in the active language, read once per export rather than once per cell."""
    return {value: str(label) for value, label in choices.choices}


def counted(rows, progress, withheld=0):
    """Pass rows through, calling progress(rows so far) every PROGRESS_EVERY rows and at the end, where the rows
    withheld from the file count as done too."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done + withheld)


def text(header):
    return Field(column_name=header)


def day(header):
    return Field(column_name=header, widget=widgets.DateWidget())


def yes_no(header):
    return Field(column_name=header, widget=widgets.BooleanWidget())


def number(header):
    return Field(column_name=header, widget=widgets.DecimalWidget())


class RowResource(resources.Resource):
    """A resource whose rows are mappings built by `rows()`: `export()` and the writers' fast path share them."""

    def __init__(self, progress=None):
        super().__init__()
        self.progress = progress
        for name, field in self.fields.items():
            field.dehydrate_method = operator.itemgetter(name)

    @property
    def keys(self):
        return [self.get_field_name(field) for field in self.get_export_fields()]

    def column_types(self):
        """One of "date", "bool", "number" or "text" per exported column, in order."""
        kinds = {widgets.DateWidget: "date", widgets.BooleanWidget: "bool", widgets.DecimalWidget: "number"}
        return [kinds.get(type(field.widget), "text") for field in self.get_export_fields()]

    def iter_queryset(self, queryset):
        keys = self.keys
        rows = self.rows(queryset)
        if self.progress is not None:
            rows = counted(rows, self.progress, withheld=self.withheld(queryset))
        for values in rows:
            yield dict(zip(keys, values, strict=True))

    def rows(self, queryset=None):
        raise NotImplementedError

    def withheld(self, queryset=None):
        """How many rows of the queryset the file leaves out."""
        return 0


# The profile as the file gives it, read from the learner, or, once the training started, from the facts
# recorded on the application that day (inscriptions' ENTRY_FACTS names each one's entry column).
# Never the RQTH nor the European Social Fund's answers: health and origin data serve the figures only, not rows a


# The figures that wait for everyone's 6-month follow-up to be due.
SIX_MONTH_CODES = frozenset(
    {IndicatorCode.POSITIVE_6_MONTHS, IndicatorCode.RESPONSE_RATE_6_MONTHS, "EECR05", "EECR06"}
)


# The figures that count leavers: people still "en formation" after their session ended are missing from them.
LEAVER_CODES = frozenset(
    {IndicatorCode.COMPLETED, IndicatorCode.DROPPED_OUT, IndicatorCode.POSITIVE_EXIT, IndicatorCode.RESPONSE_RATE_EXIT}
)


class ReportResource(RowResource):
    """One row per indicator of an agreement's report over a period: the indicators, then the ESF+ ones."""

    code = text(_("Code"))
    label = text(_("Indicateur"))
    value = number(_("Valeur"))
    unit = text(_("Unité"))
    numerator = number(_("Numérateur"))
    denominator = number(_("Dénominateur"))
    target = number(_("Objectif"))
    value_over_all = number(_("Valeur parmi toutes les personnes sorties"))
    denominator_over_all = number(_("Base de cette valeur"))
    target_met = yes_no(_("Objectif atteint"))
    women = number(_("Femmes"))
    men = number(_("Hommes"))
    remark = text(_("Remarque"))

    class Meta:
        export_order = [
            "code",
            "label",
            "value",
            "unit",
            "numerator",
            "denominator",
            "value_over_all",
            "denominator_over_all",
            "target",
            "target_met",
            "women",
            "men",
            "remark",
        ]

    def __init__(self, agreement, period, report=None):
        super().__init__()
        self.agreement, self.period = agreement, period
        self._report = report

    @property
    def report(self):
        if self._report is None:
            self._report = compute(self.agreement, self.period)
        return self._report

    def get_queryset(self):
        return [*self.report.indicators, *self.report.esf]

    def rows(self, queryset=None):
        report = self.report
        incomplete = ""
        if not report.results_complete:
            incomplete = _("Résultats à 6 mois pas encore complets : ils le seront le %(day)s.") % {
                "day": report.results_complete_on.strftime("%d/%m/%Y")
            }
        not_yet_left = ""
        if report.still_in_training_after_end:
            not_yet_left = _(
                "%(count)d personne(s) encore « en formation » après la fin de leur session : pas encore comptée(s) "
                "parmi les personnes sorties."
            ) % {"count": report.still_in_training_after_end}
        for result in self.get_queryset() if queryset is None else queryset:
            women, men = gender_breakdown(result)
            remarks = [str(result.not_collected_reason or ""), result.verdict_withheld]
            if result.code in SIX_MONTH_CODES:
                remarks.append(incomplete)
            if result.code in LEAVER_CODES:
                remarks.append(not_yet_left)
            yield (
                result.code,
                str(result.label),
                result.value,
                result.unit,
                result.numerator,
                result.denominator,
                result.value_over_all,
                result.denominator_over_all,
                result.target,
                result.target_met,
                women,
                men,
                " ".join(remark for remark in remarks if remark) or None,
            )


def gender_breakdown(result):
    """Women and men counts of an ESF+ indicator; (None, None) for the others."""
    return result.women, result.men
