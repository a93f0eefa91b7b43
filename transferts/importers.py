"""Imports by staff from the admin.

What partners and funders really send: CSV from Excel (UTF-8 with or without BOM, or Windows-1252, `;` or `,`)
or XLSX, with French headers typed by hand. Each import kind, registered by its app (transferts/registry.py),
declares its columns; `Importer.prepare` checks every row before anything is written, and `Plan.write` writes
everything in one transaction with bulk queries, or nothing. A row that would replace a value recorded by a more
trusted source is a `Conflict`: the recorded value stays unless the staff chose otherwise on the preview.
"""

import csv
import dataclasses
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from home.spreadsheets import FileRejected
from transferts.parsers import InvalidValue, as_text, import_day, normalise
from transferts.reading import HEADER_SEARCH_LINES

# SQLite accepts up to 32,766 parameters in a query: look rows up by slices below that.
LOOKUP_SLICE = 20_000


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


@dataclass(frozen=True)
class Conflict:
    """A row that would replace a value recorded by a more trusted source (a staff entry over a file, say).

    The recorded value stays unless the staff chose, after seeing the preview, to replace it by this `key`, which
    names the value as it was then: a value changed since is kept, since nobody chose about it.
    """

    line: int
    key: str
    subject: str  # what the value is about, e.g. "n° 1234 – À 6 mois"
    recorded: str  # the value recorded
    recorded_by: str  # by whom or how, and when
    incoming: str  # what the file says
    replaced: bool = False

    def as_dict(self):
        return dataclasses.asdict(self)


@dataclass
class Plan:
    """What an import would do: the objects to create and update, how many rows are unchanged, and every error."""

    importer: object
    total: int = 0
    to_create: list = field(default_factory=list)
    to_update: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    actions: dict = field(default_factory=dict)  # line → "create" | "update" | "unchanged" | "conflict" | "replace"
    conflicts: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    # Objects already written (or counted) and let go, when rows are checked a chunk at a time.
    settled_created: int = 0
    settled_updated: int = 0

    @property
    def is_valid(self):
        return not self.errors

    def counts(self):
        return {
            "total": self.total,
            "created": self.settled_created + len(self.to_create),
            "updated": self.settled_updated + len(self.to_update),
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }

    def conflict_counts(self):
        """How many rows would replace a more trusted value, and how many of those the staff chose to replace."""
        replaced = sum(conflict.replaced for conflict in self.conflicts)
        return {"conflicts": len(self.conflicts), "replaced": replaced, "kept": len(self.conflicts) - replaced}

    def write(self):
        if self.errors:
            raise ValueError("An import with errors writes nothing.")
        with transaction.atomic():
            self.importer.write(self)
        return self.counts()

    def settle(self, write):
        """Write the objects of the rows checked so far (or only count them), then let them go.

        Once a row is wrong nothing more is written: the caller rolls its transaction back.
        """
        if write and not self.errors:
            self.write()
        self.settled_created += len(self.to_create)
        self.settled_updated += len(self.to_update)
        self.to_create, self.to_update = [], []


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
    # True when a row's checks and writes depend on no other row but through `check_duplicates`: the job then
    # checks and writes its rows a chunk at a time, and a big file's objects are never all in memory at once.
    rows_independent = False
    chunk_size = 10_000

    def __init__(self, *, campus=None, user=None, progress=None, replace=()):
        self.campus, self.user = campus, user
        self.first_lines = {}  # column → {key: first line}, across the chunks of one file
        self.progress = progress or (lambda done: None)
        # The keys of the conflicts the staff chose to settle with the file's value; every other one is kept.
        self.replace = frozenset(replace)

    # Reading

    @classmethod
    def header_matches(cls, values):
        """Whether a line of the file is this import's header: it names every required column."""
        names = {normalise(value) for value in values if value is not None}
        return all(column.names() & names for column in cls.columns if column.required)

    def locate_columns(self, header, table=None):
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
            message = ngettext(
                "Colonne manquante : %(columns)s.", "Colonnes manquantes : %(columns)s.", len(missing)
            ) % {"columns": ", ".join(missing)}
            raise FileRejected(" ".join([message, *self.where_header_was_sought(table)]))
        return found

    @staticmethod
    def where_header_was_sought(table):
        """What the reader tried, so that a header further down or on another sheet is not a mystery."""
        if table is None or not hasattr(table, "header_line"):
            return []
        count = {"count": HEADER_SEARCH_LINES}
        said = [_("L'en-tête a été cherché dans les %(count)d premières lignes non vides.") % count]
        if len(table.sheets) > 1:
            sheets = ", ".join(f"« {name} »" for name in table.sheets)
            said.append(_("Aucune des feuilles du classeur ne l'a (%(sheets)s).") % {"sheets": sheets})
        return said

    def parse_rows(self, table, errors):
        """[(line, {key: parsed value})] for the rows whose every cell parsed; errors appended to `errors`."""
        return list(self.iter_records(table, errors))

    def iter_records(self, table, errors):
        """(line, {key: parsed value}) of each row whose every cell parsed, one after the other."""
        located = list(self.locate_columns(table.header, table).items())
        token = import_day.set(timezone.localdate())
        try:
            yield from self._parse_located(table, located, errors)
        finally:
            import_day.reset(token)

    def _parse_located(self, table, located, errors):
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
            if count % 1000 == 0:
                self.progress(count)
            if valid:
                yield line, record

    def prepare(self, table):
        """Check every row of `table` against the file and the database; return the Plan, writing nothing."""
        plan = Plan(importer=self)
        try:
            records = self.parse_rows(table, plan.errors)
        except FileRejected as error:
            plan.errors.append(RowError(None, None, str(error)))
            return plan
        finally:
            plan.total = len(table.rows)  # a streamed table knows it once read
        self.build(records, plan)
        plan.errors.sort(key=lambda error: error.line or 0)
        return plan

    def check_in_chunks(self, table, *, write=False):
        """The Plan of `table`, as `prepare` gives it, written as well if `write` (inside the caller's transaction,
        which must roll back if the plan has errors).

        Rows that are independent are read, parsed, built, then written or only counted, `chunk_size` at a time:
        the cells, the parsed values and the objects of each chunk are let go before the next is read.
        """
        if not self.rows_independent:
            plan = self.prepare(table)
            if write and plan.is_valid:
                plan.write()
            return plan
        plan = Plan(importer=self)
        records = self.iter_records(table, plan.errors)
        try:
            while chunk := list(itertools.islice(records, self.chunk_size)):
                self.build(chunk, plan)
                del chunk
                plan.settle(write)
        except FileRejected as error:
            plan.errors.append(RowError(None, None, str(error)))
        finally:
            plan.total = len(table.rows)  # a streamed table knows it once read
        plan.errors.sort(key=lambda error: error.line or 0)
        return plan

    def build(self, records, plan):
        raise NotImplementedError

    def write(self, plan):
        raise NotImplementedError

    # Helpers for subclasses

    def settle_conflict(self, plan, conflict):
        """Note a row that would replace a more trusted value; True if the staff chose to replace it."""
        conflict = dataclasses.replace(conflict, replaced=conflict.key in self.replace)
        plan.conflicts.append(conflict)
        plan.actions[conflict.line] = "replace" if conflict.replaced else "conflict"
        return conflict.replaced

    def check_duplicates(self, records, key, column, errors, describe=str):
        """Drop the records whose natural key appeared on an earlier line (of this chunk or an earlier one), with an
        error for each."""
        first_lines, kept = self.first_lines.setdefault(column, {}), []
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
