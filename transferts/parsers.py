"""Values as people type them in a spreadsheet: French dates and numbers, « oui »/« non », labels in any case."""

import contextvars
import datetime
import decimal
import functools
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_INTEGER = 2**31 - 1  # what an integer column holds on every database
import_day = contextvars.ContextVar("import_day", default=None)
DATE_PATTERN = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
ISO_DATE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
BLANKS = re.compile(r"[\s\u00a0\u202f]+")
TRUE_WORDS = {"oui", "o", "yes", "y", "vrai", "x", "1"}
FALSE_WORDS = {"non", "n", "no", "faux", "0"}


def normalise(text):
    """Case-, accent- and punctuation-insensitive form of a header or a label: « N° de Candidature » → "no de
    candidature"."""
    # NFKD turns « º » into "o" but leaves the degree sign that most people type for « n° ».
    text = re.sub(r"\bn\s*°", "no ", unicodedata.normalize("NFKD", str(text)).lower())
    text = "".join(character for character in text if not unicodedata.combining(character))
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split())


class InvalidValue(ValueError):
    """A cell's value is wrong; the message says why, in French, and is shown with its line and column."""


def as_text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return BLANKS.sub(" ", str(value)).strip()


def text(max_length):
    def parse(value):
        value = as_text(value)
        if len(value) > max_length:
            raise InvalidValue(
                _("le texte fait %(length)d caractères, %(max)d au plus.") % {"length": len(value), "max": max_length}
            )
        return value

    return parse


@functools.lru_cache(maxsize=4096)
def _date_from_text(value):
    if match := DATE_PATTERN.match(value):
        day, month, year = (int(part) for part in match.groups())
    elif match := ISO_DATE_PATTERN.match(value):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_date(value):
    """dd/mm/yyyy (or yyyy-mm-dd), or a real date cell of a spreadsheet."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    day = _date_from_text(as_text(value))
    if day is None:
        raise InvalidValue(_("« %(value)s » n'est pas une date (jj/mm/aaaa).") % {"value": as_text(value)})
    return day


def today():
    """Today's date, read once per import rather than once per cell."""
    return import_day.get() or timezone.localdate()


def parse_past_date(value):
    day = parse_date(value)
    if day > today():
        raise InvalidValue(_("« %(value)s » est une date dans le futur.") % {"value": f"{day:%d/%m/%Y}"})
    return day


def parse_decimal(value):
    """1234.5, « 1 234,50 », « 12,5 % », « 1 200 € », or a number cell."""
    if isinstance(value, bool):
        raise InvalidValue(_("« %(value)s » n'est pas un nombre.") % {"value": value})
    if isinstance(value, int | decimal.Decimal):
        return decimal.Decimal(value)
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    cleaned = BLANKS.sub("", str(value)).removesuffix("€").removesuffix("%")
    if "," in cleaned:
        # A decimal comma; a dot beside it can only be a thousands separator (1.234,50).
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        number = decimal.Decimal(cleaned)
    except decimal.InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InvalidValue(_("« %(value)s » n'est pas un nombre.") % {"value": as_text(value)})
    return number


def decimal_number(*, max_digits=12, decimal_places=2, minimum=0):
    def parse(value):
        number = parse_decimal(value)
        if number < minimum:
            raise InvalidValue(_("« %(value)s » est négatif.") % {"value": as_text(value)})
        # Checked before rounding: quantize() itself fails on a number such as 1e400.
        if number and number.adjusted() >= max_digits - decimal_places:
            raise InvalidValue(_("« %(value)s » est trop grand.") % {"value": as_text(value)})
        if number != number.quantize(decimal.Decimal(1).scaleb(-decimal_places), rounding=decimal.ROUND_DOWN):
            raise InvalidValue(
                _("« %(value)s » a plus de %(places)d chiffres après la virgule.")
                % {"value": as_text(value), "places": decimal_places}
            )
        number = number.quantize(decimal.Decimal(1).scaleb(-decimal_places))
        if len(number.as_tuple().digits) > max_digits:
            raise InvalidValue(_("« %(value)s » est trop grand.") % {"value": as_text(value)})
        return number

    return parse


def parse_positive_integer(value):
    number = parse_decimal(value)
    if number != number.to_integral_value() or number < 0 or number > MAX_INTEGER:
        raise InvalidValue(_("« %(value)s » n'est pas un nombre entier positif.") % {"value": as_text(value)})
    return int(number)


def parse_bool(value):
    if isinstance(value, bool):
        return value
    word = normalise(as_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidValue(_("« %(value)s » : écrivez « oui » ou « non ».") % {"value": as_text(value)})


def choice(choices, *, aliases=None):
    """A parser accepting the label or the code of a TextChoices/IntegerChoices, in any case, with or without
    accents; `aliases` adds other spellings ({"sortie": 0})."""
    known = {}
    for value, label in choices.choices:
        known[normalise(value)] = value
        known[normalise(label)] = value
    for alias, value in (aliases or {}).items():
        known[normalise(alias)] = value
    listed = ", ".join(f"« {label} »" for label in choices.labels)
    seen = {}  # the same few spellings come back on every line

    def parse(value):
        if value.__class__ is str and value in seen:
            return seen[value]
        found = known.get(normalise(as_text(value)))
        if found is not None and value.__class__ is str and len(seen) < 1000:
            seen[value] = found
        if found is None:
            raise InvalidValue(
                _("« %(value)s » n'est pas une valeur possible (%(listed)s).")
                % {"value": as_text(value), "listed": listed}
            )
        return found

    return parse
