"""Dates in the admin, the French way: dd/mm/yyyy typed and shown, "4 janvier 2027" understood, nothing replaced."""

import datetime
import re
import unicodedata

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
# "4 janvier 2027", "1er février 2027", "lundi 4 janv. 2027".
WRITTEN_DATE = re.compile(r"^(?:[a-z]+\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})$")


def parse_written_date(text):
    """The date written in words in French, or None."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()
    match = WRITTEN_DATE.match(re.sub(r"\s+", " ", plain))
    if not match or match.group(2) not in MONTHS:
        return None
    try:
        return datetime.date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:
        return None


class FrenchDateField(forms.DateField):
    """A date typed dd/mm/yyyy (or ISO), or written in words: "4 janvier 2027"."""

    default_error_messages = {"invalid": _("Saisissez une date comme 04/01/2027.")}

    def to_python(self, value):
        if isinstance(value, str) and (written := parse_written_date(value)):
            return written
        return super().to_python(value)


# Wagtail's picker (jQuery datetimepicker) replaces, when the field is left, any text it cannot read with today's
# date. Left alone, the text reaches the server, which reads it or says on the field that it cannot. These widgets
# say so in their config (which StreamField blocks read too); home/templates/wagtailadmin/widgets/ says it for the
# pickers Wagtail builds itself (a page's publishing dates, its reports' filters).
class AdminFrenchDateInput(AdminDateInput):
    def get_config(self):
        return {**super().get_config(), "validateOnBlur": False}


class AdminFrenchDateTimeInput(AdminDateTimeInput):
    def get_config(self):
        return {**super().get_config(), "validateOnBlur": False}


class FrenchDateRangePickerWidget(DateRangePickerWidget):
    """The "from … to …" of an admin list's filter, with the picker that replaces nothing."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets = [
            AdminFrenchDateInput(attrs={"placeholder": _("Du (jj/mm/aaaa)")}),
            AdminFrenchDateInput(attrs={"placeholder": _("Au (jj/mm/aaaa)")}),
        ]


class AbsoluteDateColumn(Column):
    """A date shown as 04/01/2027 (and the time for a moment), where Wagtail's DateColumn says "Il y a 3 jours"."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if isinstance(value, datetime.datetime):
            return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%d/%m/%Y %H:%M")
        if isinstance(value, datetime.date):
            return value.strftime("%d/%m/%Y")
        return value or ""
