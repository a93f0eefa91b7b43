from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "financeurs"
    verbose_name = _("Financeurs")

    def ready(self):
        from campus.services import register_staff_permissions
        from financeurs.erasure import delete_named_exports_about
        from financeurs.imports import AgreementImport
        from financeurs.indicators.public import outcomes_section
        from formations.sections import register_page_section
        from inscriptions.services.learner_data import register_erasure_step
        from transferts.registry import register_importer

        # Funding agreements covering the campus; funders themselves are shared between campuses.
        register_staff_permissions(
            "financeurs",
            "view_funder",
            "add_funder",
            "change_funder",
            "view_agreement",
            "add_agreement",
            "change_agreement",
        )
        register_importer(AgreementImport)
        # Erasing a learner deletes the named files made for funders that cover her.
        register_erasure_step(delete_named_exports_about)
        # Every formation page says what became of those who did it: the funders' 6-month result, in counts.
        register_page_section(outcomes_section)
