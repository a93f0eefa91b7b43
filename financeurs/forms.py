"""Forms of the funders' portal: the period a dashboard or a download covers."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from financeurs.indicators import Period

# A date typed by hand in a browser without a date picker, or the ISO form the date picker sends.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
PERIOD_FIELDS = ("debut", "fin")


def period_query(period):
    """The query string that selects `period` on the dashboard and the downloads."""
    return urlencode({"debut": period.start.isoformat(), "fin": period.end.isoformat()})


def _quarter_start(day):
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(day):
    return datetime.date(day.year + 1, 1, 1) if day.month >= 10 else datetime.date(day.year, day.month + 3, 1)


class PeriodForm(forms.Form):
    """The period of an agreement's figures: its whole span unless the funder picks a part of it.

    Read from the query string (GET), so a period is a link that can be shared or bookmarked. An invalid
    period shows its error and falls back to the agreement's dates, so the page always has figures.
    """

    error_css_class = "field-error"

    debut = forms.DateField(
        label=_("Début de la période"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 31/12/2026.")},
    )
    fin = forms.DateField(
        label=_("Fin de la période"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 31/12/2026.")},
    )

    def __init__(self, *, agreement, data=None, **kwargs):
        # Landing on the dashboard without a period is not an error: it shows the whole agreement.
        if data is not None and not any(data.get(name) for name in PERIOD_FIELDS):
            data = None
        super().__init__(data=data, **kwargs)
        self.agreement = agreement
        if self.is_bound:
            # A date picker shows only ISO dates: a period typed as 01/04/2026 is shown back as 2026-04-01.
            self.data = self.data.copy()
            for name in PERIOD_FIELDS:
                try:
                    day = self.fields[name].clean(self.data.get(name))
                except ValidationError:
                    continue
                if day:
                    self.data[name] = day.isoformat()
        self.initial = {"debut": agreement.start_date, "fin": agreement.end_date, **self.initial}
        for name, field in self.fields.items():
            field.widget.attrs.update({"min": agreement.start_date.isoformat(), "max": agreement.end_date.isoformat()})
            example = agreement.start_date if name == "debut" else agreement.end_date
            field.help_text = _("Par exemple %(date)s.") % {"date": example.strftime("%d/%m/%Y")}
            field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_aide"

    def full_clean(self):
        super().full_clean()
        # Tie each error to its input for screen readers (the error paragraph carries this id).
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {
                        "aria-invalid": "true",
                        "aria-describedby": f"{self[name].auto_id}_aide {self[name].auto_id}_erreur",
                    }
                )

    def clean(self):
        cleaned = super().clean()
        start_date, end_date = self.agreement.start_date, self.agreement.end_date
        outside = _("Choisissez une date entre le %(start)s et le %(end)s, la période de la convention.") % {
            "start": start_date.strftime("%d/%m/%Y"),
            "end": end_date.strftime("%d/%m/%Y"),
        }
        for name in PERIOD_FIELDS:
            day = cleaned.get(name)
            if day is not None and not start_date <= day <= end_date:
                self.add_error(name, outside)
        start, end = cleaned.get("debut"), cleaned.get("fin")
        if start is not None and end is not None and start > end and not self.errors:
            self.add_error("fin", _("La fin de la période doit venir après son début."))
        return cleaned

    @property
    def period(self):
        """The period asked for, or the whole agreement when none was asked for or it is invalid."""
        if self.is_bound and self.is_valid():
            return Period(
                start=self.cleaned_data["debut"] or self.agreement.start_date,
                end=self.cleaned_data["fin"] or self.agreement.end_date,
            )
        return Period.of_agreement(self.agreement)

    def quick_choices(self):
        """Ready-made periods as links: the whole agreement, then each calendar year with its quarters.

        Each is cut to the agreement's dates, and a span is offered once, under its broadest name: a year that
        is the whole agreement, or a quarter that is the whole year once cut, is not offered again (its "query"
        is None). Returns {"whole": …, "years": [{"label", "query", "current", "quarters": [...]}]}.
        """
        current = self.period
        start_date, end_date = self.agreement.start_date, self.agreement.end_date
        offered = set()

        def choice(label, start, end):
            start, end = max(start, start_date), min(end, end_date)
            span = (start, end)
            entry = {
                "label": label,
                "query": None if span in offered else period_query(Period(start=start, end=end)),
                "current": span == (current.start, current.end),
            }
            offered.add(span)
            return entry

        whole = choice(_("Toute la convention"), start_date, end_date)
        years = []
        for year in range(start_date.year, end_date.year + 1):
            entry = choice(str(year), datetime.date(year, 1, 1), datetime.date(year, 12, 31))
            entry["quarters"] = []
            quarter = _quarter_start(max(start_date, datetime.date(year, 1, 1)))
            while quarter.year == year and quarter <= end_date:
                following = _next_quarter(quarter)
                number = (quarter.month - 1) // 3 + 1
                offer = choice(
                    _("T%(number)s %(year)s") % {"number": number, "year": year},
                    quarter,
                    following - datetime.timedelta(days=1),
                )
                if offer["query"] is not None:
                    entry["quarters"].append(offer)
                quarter = following
            years.append(entry)
        return {"whole": whole, "years": years}
