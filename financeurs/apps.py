from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "financeurs"
    verbose_name = _("Financeurs")

    def ready(self):
        from financeurs.imports import AgreementImport
        from transferts.registry import register_importer

        register_importer(AgreementImport)
