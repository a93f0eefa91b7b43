"""All-or-nothing imports of reference files: every row is checked first, then everything is written at once.

A command builds unsaved model instances, `check()` runs the model's own validation on them, and `save_all()`
upserts them by natural key in one transaction. One error anywhere stops the import before any write.
"""

import contextvars
import csv
import datetime
import decimal
import functools
import io
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campus.permissions import campuses_of

logger = logging.getLogger(__name__)

MAX_ERRORS_SHOWN = 50
BATCH_SIZE = 500


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self, noun, feminine=False):
        if feminine:
            message = _("%(total)d %(noun)s : %(created)d créées, %(updated)d modifiées, %(unchanged)d inchangées.")
        else:
            message = _("%(total)d %(noun)s : %(created)d créés, %(updated)d modifiés, %(unchanged)d inchangés.")
        return message % {
            "total": self.created + self.updated + self.unchanged,
            "noun": noun,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def fail(errors):
    """Stop the import, listing every error found (up to MAX_ERRORS_SHOWN)."""
    shown = errors[:MAX_ERRORS_SHOWN]
    if hidden := len(errors) - len(shown):
        shown.append(
            ngettext("… et %(count)d autre erreur", "… et %(count)d autres erreurs", hidden) % {"count": hidden}
        )
    raise CommandError("\n".join([_("Import annulé, rien n'a été enregistré :"), *shown]))


def check(instance):
    """Yield (field name, message) for each value the model's own validation rejects."""
    try:
        # Uniqueness is the upsert's business, and checking it row by row would cost one query per row.
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                yield field, message


def read_bytes(path):
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(
            _("Impossible de lire %(path)s : %(error)s") % {"path": path, "error": error.strerror}
        ) from error


def decode_spreadsheet_text(data):
    """UTF-8 with or without BOM, else Windows-1252 (what Excel writes on a French Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_csv(path, required_columns):
    """Return (line number, row) pairs, numbered as in a spreadsheet (the header is line 1), blank lines skipped.

    Accepts UTF-8 with or without BOM and Windows-1252 (what Excel writes on a French Windows), comma or semicolon.
    """
    try:
        text = decode_spreadsheet_text(read_bytes(path))
    except UnicodeDecodeError as error:
        raise CommandError(_("%(path)s n'est ni en UTF-8 ni en Windows-1252.") % {"path": path}) from error

    header_line = text.partition("\n")[0]
    try:
        delimiter = csv.Sniffer().sniff(header_line, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader, [])]
    if missing := [column for column in required_columns if column not in header]:
        raise CommandError(
            ngettext("Colonne manquante : %(columns)s.", "Colonnes manquantes : %(columns)s.", len(missing))
            % {"columns": ", ".join(missing)}
        )
    return [
        (line, dict(zip(header, (value.strip() for value in values), strict=False)))
        for line, values in enumerate(reader, start=2)
        if any(value.strip() for value in values)
    ]


def save_all(model, instances, *, key, m2m=None):
    """Create or update `instances` by their natural `key`, in one transaction, and return the counts.

    `m2m` maps a many-to-many field name to {key value: set of related primary keys}.
    """
    m2m = m2m or {}
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    existing = model.objects.prefetch_related(*m2m).in_bulk([getattr(obj, key) for obj in instances], field_name=key)
    result = ImportResult()
    to_create, to_update, to_relink = [], [], []
    for obj in instances:
        current = existing.get(getattr(obj, key))
        if current is None:
            to_create.append(obj)
            result.created += 1
            continue
        obj.pk = current.pk
        fields_changed = any(getattr(obj, field.attname) != getattr(current, field.attname) for field in fields)
        links_changed = any(
            {related.pk for related in getattr(current, name).all()} != links[getattr(obj, key)]
            for name, links in m2m.items()
        )
        if fields_changed:
            to_update.append(obj)
        if links_changed:
            to_relink.append(obj)
        if fields_changed or links_changed:
            result.updated += 1
        else:
            result.unchanged += 1

    with transaction.atomic():
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        model.objects.bulk_update(to_update, [field.name for field in fields], batch_size=BATCH_SIZE)
        changed = [getattr(obj, key) for obj in to_create + to_relink]
        for name, links in m2m.items():
            replace_links(model, name, key, {value: links[value] for value in changed})
    return result


def replace_links(model, name, key, links):
    """Replace the many-to-many links of the objects whose key values are in `links`, in three queries."""
    field = model._meta.get_field(name)
    through, source, target = field.remote_field.through, field.m2m_column_name(), field.m2m_reverse_name()
    pks = {value: obj.pk for value, obj in model.objects.in_bulk(list(links), field_name=key).items()}
    through.objects.filter(**{f"{source}__in": pks.values()}).delete()
    through.objects.bulk_create(
        [
            through(**{source: pks[value], target: related})
            for value, related_pks in links.items()
            for related in related_pks
        ],
        batch_size=BATCH_SIZE,
    )


class CsvImportCommand(BaseCommand):
    """Import a CSV file into `model`: `columns` maps each file column to a model field, `key` is the natural key."""

    model = None
    columns = {}
    key = "code"
    noun = ""

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Chemin du fichier CSV.")

    def handle(self, path, **options):
        field_columns = {field: column for column, field in self.columns.items()}
        instances, errors, lines_by_key = [], [], {}
        for line, row in read_csv(path, self.columns):
            obj = self.model(**{field: row.get(column, "") for column, field in self.columns.items()})
            problems = list(check(obj))
            errors += [
                _("ligne %(line)d, colonne %(column)s : %(message)s")
                % {"line": line, "column": field_columns.get(field, field), "message": message}
                for field, message in problems
            ]
            value = getattr(obj, self.key)
            if value in lines_by_key and self.key not in dict(problems):
                errors.append(
                    _("ligne %(line)d, colonne %(column)s : « %(value)s » figure déjà ligne %(first)d.")
                    % {"line": line, "column": field_columns[self.key], "value": value, "first": lines_by_key[value]}
                )
            lines_by_key.setdefault(value, line)
            instances.append(obj)
        if errors:
            fail(errors)
        result = save_all(self.model, instances, key=self.key)
        if options["verbosity"]:
            self.stdout.write(result.summary(self.noun))


# --- Imports by staff from the admin ------------------------------------------------------------
# What partners and funders really send: CSV from Excel (UTF-8 with or without BOM, or Windows-1252, `;` or `,`)
# or XLSX, with French headers typed by hand. Each import kind (inscriptions/imports.py, financeurs/imports.py)
# declares its columns; `Importer.prepare` checks every row before anything is written, and `Plan.write` writes
# everything in one transaction with bulk queries, or nothing.

IMPORT_KINDS = {
    "suivis": "inscriptions.imports.FollowUpImport",
    "orientations": "inscriptions.imports.ReferralImport",
    "conventions": "financeurs.imports.AgreementImport",
}
ERRORS_KEPT = 200
MAX_INTEGER = 2**31 - 1  # what an integer column holds on every database
import_day = contextvars.ContextVar("import_day", default=None)
SAMPLE_SIZE = 10
# SQLite accepts up to 32,766 parameters in a query: look rows up by slices below that.
LOOKUP_SLICE = 20_000
XLSX_MAGIC = b"PK\x03\x04"
DATE_PATTERN = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
ISO_DATE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
BLANKS = re.compile(r"[\s\u00a0\u202f]+")
TRUE_WORDS = {"oui", "o", "yes", "y", "vrai", "x", "1"}
FALSE_WORDS = {"non", "n", "no", "faux", "0"}


def import_kinds():
    """{kind: importer class}, in menu order."""
    return {kind: import_string(path) for kind, path in IMPORT_KINDS.items()}


def normalise(text):
    """Case-, accent- and punctuation-insensitive form of a header or a label: « N° de Candidature » → "no de
    candidature"."""
    # NFKD turns « º » into "o" but leaves the degree sign that most people type for « n° ».
    text = re.sub(r"\bn\s*°", "no ", unicodedata.normalize("NFKD", str(text)).lower())
    text = "".join(character for character in text if not unicodedata.combining(character))
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split())


class FileRejected(Exception):
    """The whole file is unusable (wrong format, missing columns, empty): nothing can be checked line by line."""


class InvalidValue(ValueError):
    """A cell's value is wrong; the message says why, in French, and is shown with its line and column."""


@dataclass(frozen=True)
class RowError:
    line: int | None
    column: str | None
    message: str

    def __str__(self):
        if self.line is None:
            return self.message
        if self.column is None:
            return _("Ligne %(line)d : %(message)s") % {"line": self.line, "message": self.message}
        return _("Ligne %(line)d, colonne « %(column)s » : %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Table:
    """A sheet read from a file: its header as written, and its non-blank rows numbered as in a spreadsheet."""

    header: list
    rows: list  # [(line, [cell values])]


def read_table(data, filename=""):
    """Read the first sheet of an XLSX file or a CSV file from uploaded bytes."""
    if not data or not data.strip():
        raise FileRejected(_("Le fichier est vide."))
    if data.startswith(XLSX_MAGIC):
        return read_xlsx(data)
    if filename.lower().endswith(".xlsx"):
        raise FileRejected(_("Ce fichier n'est pas un classeur XLSX lisible. Enregistrez-le à nouveau depuis Excel."))
    return read_csv_bytes(data)


def read_csv_bytes(data):
    if b"\x00" in data:
        raise FileRejected(_("Ce fichier n'est pas un fichier CSV ni un classeur XLSX."))
    try:
        text = decode_spreadsheet_text(data)
    except UnicodeDecodeError as error:
        raise FileRejected(_("Ce fichier n'est ni en UTF-8 ni en Windows-1252 : est-ce bien un CSV ?")) from error
    header_line = text.lstrip("\r\n").partition("\n")[0]
    # The header decides: Excel in French writes `;`, most other tools `,`.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    if header_line.lower().startswith("sep=") and len(header_line.strip()) == 5:
        # Excel's own hint line, which Excel hides: the header stays line 1.
        delimiter = header_line.strip()[4]
        text = text.lstrip("\r\n").partition("\n")[2]
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        lines = [(number, values) for number, values in enumerate(reader, start=1)]
    except csv.Error as error:
        raise FileRejected(_("Ce fichier CSV est mal formé : %(error)s.") % {"error": error}) from error
    return table_from(lines)


def read_xlsx(data):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of errors on a damaged file
        raise FileRejected(
            _("Ce fichier n'est pas un classeur XLSX lisible. Enregistrez-le à nouveau depuis Excel.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        lines = [(number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
    return table_from(lines)


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def table_from(lines):
    lines = [(number, values) for number, values in lines if not all(is_blank(value) for value in values)]
    if not lines:
        raise FileRejected(_("Le fichier est vide."))
    (_number, header), rows = lines[0], lines[1:]
    header = ["" if value is None else str(value).strip() for value in header]
    if not rows:
        raise FileRejected(_("Le fichier n'a pas de ligne après celle des en-têtes."))
    return Table(header=header, rows=rows)


# --- Values as people type them -----------------------------------------------------------------


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


# --- Import kinds -------------------------------------------------------------------------------


# Compared by identity: a column is declared once, and its default may be unhashable.
@dataclass(frozen=True, eq=False)
class Column:
    """One column of an import file: its French header, the key its parsed value gets, how to parse it."""

    name: str
    key: str
    parse: Callable = as_text
    required: bool = True
    default: object = None
    aliases: tuple = ()
    help: str = ""

    def names(self):
        return {normalise(self.name), *(normalise(alias) for alias in self.aliases)}


@dataclass
class Plan:
    """What an import would do: the objects to create and update, how many rows are unchanged, and every error."""

    importer: object
    total: int = 0
    to_create: list = field(default_factory=list)
    to_update: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    actions: dict = field(default_factory=dict)  # line → "create" | "update" | "unchanged"
    extra: dict = field(default_factory=dict)

    @property
    def is_valid(self):
        return not self.errors

    def counts(self):
        return {
            "total": self.total,
            "created": len(self.to_create),
            "updated": len(self.to_update),
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }

    def write(self):
        if self.errors:
            raise ValueError("An import with errors writes nothing.")
        with transaction.atomic():
            self.importer.write(self)
        return self.counts()


class Importer:
    """Base of an import kind. Subclasses declare `columns` and implement `build` and `write`."""

    kind = ""
    label = ""
    noun = ""
    permission = ""
    needs_campus = True
    columns = ()
    help_text = ""
    target_codes = ()  # (code, label) of the « objectif <code> » columns, for the help

    def __init__(self, *, campus=None, user=None, progress=None):
        self.campus, self.user = campus, user
        self.progress = progress or (lambda done: None)

    # Reading

    def locate_columns(self, header):
        """{column: index in the row}; raises FileRejected listing every required column missing."""
        positions = {normalise(name): index for index, name in reversed(list(enumerate(header)))}
        found, missing = {}, []
        for column in self.columns:
            index = next((positions[name] for name in column.names() if name in positions), None)
            if index is not None:
                found[column] = index
            elif column.required:
                missing.append(f"« {column.name} »")
        if missing:
            raise FileRejected(
                ngettext("Colonne manquante : %(columns)s.", "Colonnes manquantes : %(columns)s.", len(missing))
                % {"columns": ", ".join(missing)}
            )
        return found

    def parse_rows(self, table, errors):
        """[(line, {key: parsed value})] for the rows whose every cell parsed; errors appended to `errors`."""
        located = list(self.locate_columns(table.header).items())
        token = import_day.set(timezone.localdate())
        try:
            return self._parse_located(table, located, errors)
        finally:
            import_day.reset(token)

    def _parse_located(self, table, located, errors):
        records = []
        missing_value = _("cette valeur est obligatoire.")
        for count, (line, values) in enumerate(table.rows, start=1):
            record, valid = {}, True
            for column, index in located:
                raw = values[index] if index < len(values) else None
                if raw is None or (raw.__class__ is str and not raw.strip()):
                    if column.required:
                        errors.append(RowError(line, column.name, missing_value))
                        valid = False
                    record[column.key] = column.default
                    continue
                try:
                    record[column.key] = column.parse(raw)
                except InvalidValue as error:
                    errors.append(RowError(line, column.name, str(error)))
                    valid = False
            for column in self.columns:
                record.setdefault(column.key, column.default)
            if valid:
                records.append((line, record))
            if count % 1000 == 0:
                self.progress(count)
        return records

    def prepare(self, table):
        """Check every row of `table` against the file and the database; return the Plan, writing nothing."""
        plan = Plan(importer=self, total=len(table.rows))
        try:
            records = self.parse_rows(table, plan.errors)
        except FileRejected as error:
            plan.errors.append(RowError(None, None, str(error)))
            return plan
        self.build(records, plan)
        plan.errors.sort(key=lambda error: error.line or 0)
        return plan

    def build(self, records, plan):
        raise NotImplementedError

    def write(self, plan):
        raise NotImplementedError

    # Helpers for subclasses

    @staticmethod
    def check_duplicates(records, key, column, errors, describe=str):
        """Drop the records whose natural key appeared on an earlier line, with an error for each."""
        first_lines, kept = {}, []
        for line, record in records:
            value = key(record)
            if value in first_lines:
                errors.append(
                    RowError(
                        line,
                        column,
                        _("« %(value)s » figure déjà ligne %(first)d.")
                        % {"value": describe(value), "first": first_lines[value]},
                    )
                )
                continue
            first_lines[value] = line
            kept.append((line, record))
        return kept

    @classmethod
    def template_csv(cls):
        """The file to fill in: the headers, UTF-8 with BOM and `;` so that Excel opens it as it is."""
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";").writerow([column.name for column in cls.template_columns()])
        return "\ufeff" + buffer.getvalue()

    @classmethod
    def template_columns(cls):
        return cls.columns


def in_slices(values, size=LOOKUP_SLICE):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- Import jobs: the upload kept as a DataJob, previewed, then confirmed -----------------------


def allowed_kinds(user):
    """{kind: importer class} the user may run."""
    if not user.is_authenticated or not user.is_active:
        return {}
    return {kind: importer for kind, importer in import_kinds().items() if user.has_perm(importer.permission)}


def job_table(job):
    with job.source.open("rb") as file:
        return read_table(file.read(), job.source.name)


def job_importer(job, progress=True):
    importer_class = import_kinds()[job.kind]
    return importer_class(campus=job.campus, user=job.requested_by, progress=job.record_progress if progress else None)


def job_may_run(job):
    """The requester may still run this kind of import on this campus (rights can change between two steps)."""
    user = job.requested_by
    if job.kind not in allowed_kinds(user):
        return False
    return job.campus_id is None or campuses_of(user).filter(pk=job.campus_id).exists()


def sample_rows(table, plan, size=SAMPLE_SIZE):
    labels = {"create": _("à créer"), "update": _("à modifier"), "unchanged": _("inchangée")}
    rows = []
    for line, values in table.rows[:size]:
        cells = [
            "" if value is None else f"{value:%d/%m/%Y}" if isinstance(value, datetime.date) else as_text(value)
            for value in values
        ]
        rows.append({"line": line, "action": labels.get(plan.actions.get(line), _("en erreur")), "cells": cells})
    return rows


def forget_source(job):
    # The uploaded file holds personal data: kept only while it may still be imported.
    if job.source:
        job.source.delete(save=False)


def record_failure(job, errors, summary=None):
    forget_source(job)
    job.state = job.State.FAILED
    job.errors = [str(error) for error in errors[:ERRORS_KEPT]]
    job.summary = {**(summary or job.summary), "errors": len(errors)}
    job.finished_at = timezone.now()
    job.save()


def marked_failed_on_crash(step):
    """A crash must not leave a job "running" forever: it is marked failed (the transaction wrote nothing)."""

    @functools.wraps(step)
    def run(job):
        try:
            return step(job)
        except Exception:
            logger.exception("Import job %s crashed", job.pk)
            record_failure(job, [_("Une erreur inattendue a interrompu l'import : rien n'a été enregistré.")])
            raise

    return run


def start_job(job):
    """Mark the job running and read its file: the table, or None once the job is recorded as failed."""
    job.state = job.State.RUNNING
    job.save(update_fields=["state"])
    if not job_may_run(job):
        record_failure(job, [_("Vous n'avez pas le droit de faire cet import.")])
        return None
    try:
        return job_table(job)
    except FileRejected as error:
        record_failure(job, [str(error)])
        return None


@marked_failed_on_crash
def preview_job(job):
    """The dry run: check the whole file and keep the counts, a sample and the errors on the job."""
    table = start_job(job)
    if table is None:
        return job
    job.total = len(table.rows)
    job.save(update_fields=["total"])
    plan = job_importer(job).prepare(table)
    summary = {**plan.counts(), "header": table.header, "sample": sample_rows(table, plan), **plan.extra}
    if plan.errors:
        record_failure(job, plan.errors, summary)
        return job
    job.refresh_from_db(fields=["done"])
    job.state, job.summary, job.errors, job.done = job.State.PREVIEW, summary, [], job.total
    job.save()
    return job


def confirm_job(job):
    """Mark a previewed job as confirmed, once: True if this call confirmed it (a second click does nothing)."""
    updated = (
        type(job)
        .objects.filter(pk=job.pk, state=job.State.PREVIEW)
        .update(state=job.State.QUEUED, done=0, params={**job.params, "confirmed": True})
    )
    job.refresh_from_db()
    return bool(updated)


@marked_failed_on_crash
def write_job(job):
    """Write a confirmed import, checking every row again inside the transaction: nothing or everything."""
    table = start_job(job)
    if table is None:
        return job
    with transaction.atomic():
        plan = job_importer(job, progress=False).prepare(table)
        if plan.is_valid:
            plan.write()
    if not plan.is_valid:
        record_failure(job, plan.errors, {**job.summary, **plan.counts()})
        return job
    forget_source(job)
    job.state, job.done = job.State.DONE, job.total
    job.summary = {**job.summary, **plan.counts()}
    job.finished_at = timezone.now()
    job.save()
    return job
