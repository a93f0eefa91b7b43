from django.utils.translation import gettext_lazy as _

from formations.models import RomeCode
from home.reference_imports import CsvImportCommand


class Command(CsvImportCommand):
    help = "Importe les métiers du ROME (France Travail) depuis un fichier CSV ; tout ou rien."
    model = RomeCode
    columns = {
        "code": "code",
        "label": "label",
        "domain_code": "domain_code",
        "domain_label": "domain_label",
        "grand_domain_code": "grand_domain_code",
        "grand_domain_label": "grand_domain_label",
    }
    noun = _("métiers ROME")
