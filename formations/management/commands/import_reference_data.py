from pathlib import Path

from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction
from django.utils.translation import gettext as _

# In dependency order: certifications link to ROME codes.
STEPS = [
    ("import_rome", "rome/rome_codes.csv"),
    ("import_formacode", "formacode/formacode_labels_france_competences_fixture.csv"),
    ("import_certifications", "certifications/*.xml"),
    ("import_qpv", "qpv/qpv_2015_metropole.csv"),
]


class Command(BaseCommand):
    help = (
        "Importe tous les référentiels (ROME, Formacode, certifications RNCP puis RS, QPV) depuis un dossier "
        "organisé en rome/, formacode/, certifications/, qpv/ ; tout ou rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="Dossier des fichiers de référence.")

    def handle(self, folder, **options):
        runs, missing = [], []
        for command, pattern in STEPS:
            # RNCP before RS, then by name.
            paths = sorted(folder.glob(pattern), key=lambda path: ("RNCP" not in path.name.upper(), path.name))
            runs += [(command, path) for path in paths]
            if not paths:
                missing.append(pattern)
        if missing:
            raise CommandError(
                _("Fichiers introuvables dans %(folder)s : %(missing)s.")
                % {"folder": folder, "missing": ", ".join(missing)}
            )
        with transaction.atomic():
            for command, path in runs:
                try:
                    call_command(command, path, stdout=self.stdout, stderr=self.stderr, verbosity=options["verbosity"])
                except CommandError as error:
                    raise CommandError(f"{path.relative_to(folder)} : {error}") from error
