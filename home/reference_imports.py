"""All-or-nothing imports of reference files: every row is checked first, then everything is written at once.

A command builds unsaved model instances, `check()` runs the model's own validation on them, and `save_all()`
upserts them by natural key in one transaction. One error anywhere stops the import before any write.
"""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from home.spreadsheets import FileRejected, UndecodableFile, read_bytes, read_csv

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


def read_rows(path, required_columns):
    """Return (line number, row) pairs, numbered as in a spreadsheet (the header is line 1), blank lines skipped.

    Accepts UTF-8 with or without BOM and Windows-1252 (what Excel writes on a French Windows), comma or semicolon.
    """
    try:
        lines = read_csv(read_bytes(path))
    except UndecodableFile as error:
        raise CommandError(_("%(path)s n'est ni en UTF-8 ni en Windows-1252.") % {"path": path}) from error
    except FileRejected as error:
        raise CommandError(str(error)) from error
    lines = [(line, values) for line, values in lines if any(value.strip() for value in values)]
    header = [name.strip() for name in lines[0][1]] if lines else []
    if missing := [column for column in required_columns if column not in header]:
        raise CommandError(
            ngettext("Colonne manquante : %(columns)s.", "Colonnes manquantes : %(columns)s.", len(missing))
            % {"columns": ", ".join(missing)}
        )
    return [(line, dict(zip(header, (value.strip() for value in values), strict=False))) for line, values in lines[1:]]


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
        for line, row in read_rows(path, self.columns):
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
