from django.utils.translation import gettext_lazy as _

from campus.models import Qpv
from home.reference_imports import CsvImportCommand


class Command(CsvImportCommand):
    help = "Importe les quartiers prioritaires (QPV) depuis un fichier CSV ; tout ou rien."
    model = Qpv
    columns = {
        "code": "code",
        "name": "name",
        "commune": "communes",
        "insee_code": "insee_codes",
        "department": "department",
    }
    noun = _("quartiers prioritaires")
