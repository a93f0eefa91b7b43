from django.utils.translation import gettext_lazy as _

from formations.models import Domain
from home.reference_imports import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        "Importe les domaines de formation (Formacode) depuis un fichier CSV aux colonnes code, label ; tout ou rien."
    )
    model = Domain
    columns = {"code": "formacode", "label": "label"}
    key = "formacode"
    noun = _("domaines Formacode")
