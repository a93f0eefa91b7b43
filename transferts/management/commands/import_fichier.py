"""Run a staff import from the command line, with the same checks as the admin: `import_fichier suivis f.csv
--campus aubervilliers --user marie`. Nothing is written if one line is wrong, or with --dry-run."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from campus.permissions import campuses_of
from home.reference_imports import fail
from home.spreadsheets import FileRejected
from transferts.jobs import header_notice
from transferts.reading import read_import_file
from transferts.registry import import_kinds


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(import_kinds()), help="Ce qui est importé.")
        parser.add_argument("path", type=Path, help="Fichier CSV ou XLSX.")
        parser.add_argument("--campus", help="Slug du campus (suivis, orientations).")
        parser.add_argument("--user", required=True, help="Identifiant de la personne qui importe.")
        parser.add_argument("--dry-run", action="store_true", help="Vérifier seulement, sans rien enregistrer.")

    def handle(self, kind, path, campus=None, user=None, dry_run=False, **options):
        importer_class = import_kinds()[kind]
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None or not account.has_perm(importer_class.permission):
            raise CommandError(_("%(user)s n'a pas le droit de faire cet import.") % {"user": user})
        campus_page = None
        if importer_class.needs_campus:
            campus_page = campuses_of(account).filter(slug=campus).first() if campus else None
            if campus_page is None:
                raise CommandError(
                    _("Campus inconnu ou hors de l'équipe de %(user)s : %(campus)s") % {"user": user, "campus": campus}
                )
        # The same limits as in the admin, and the file streamed the same way.
        try:
            with path.open("rb") as file:
                table = read_import_file(file, path.name, find_header=importer_class.header_matches, stream=True)
        except OSError as error:
            raise CommandError(
                _("Impossible de lire %(path)s : %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        except FileRejected as error:
            raise CommandError(str(error)) from error
        if (notice := header_notice(table)) and options["verbosity"]:
            self.stdout.write(notice)
        # Checked and written a chunk at a time, as in the admin: a big file's objects are never all in memory.
        with transaction.atomic():
            plan = importer_class(campus=campus_page, user=account).check_in_chunks(table, write=not dry_run)
            if plan.errors:
                transaction.set_rollback(True)
        if plan.errors:
            fail([str(error) for error in plan.errors])
        counts = plan.counts()
        if options["verbosity"]:
            self.stdout.write(
                _("%(total)d lignes : %(created)d créées, %(updated)d modifiées, %(unchanged)d inchangées%(dry)s.")
                % {**counts, "dry": _(" (vérification seule, rien n'a été enregistré)") if dry_run else ""}
            )
            if plan.conflicts:
                # From the command line nobody chooses: what is recorded stays, as on a preview confirmed as is.
                self.stdout.write(
                    _(
                        "%(kept)d lignes en conflit avec ce qui est enregistré (saisie de l'équipe ou réponse de la "
                        "personne) : la valeur enregistrée est gardée. Pour la remplacer, importez le fichier dans "
                        "l'administration et choisissez-le."
                    )
                    % plan.conflict_counts()
                )
