from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from formations import lheo


class Command(BaseCommand):
    help = "Écrit dans FILE le flux LHEO 2.3 des formations en ligne et de leurs sessions ouvertes."

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Le fichier XML à écrire (remplacé s'il existe)."))

    def handle(self, *args, file, **options):
        with open(file, "wb") as output:
            lheo.write_feed(output)
        self.stdout.write(_("Flux LHEO écrit dans %(file)s.") % {"file": file})
