from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InscriptionsConfig(AppConfig):
    name = "inscriptions"
    verbose_name = "Inscriptions"

    def ready(self):
        from inscriptions import signals
        from inscriptions.imports import FollowUpImport, ReferralImport
        from transferts.registry import register_importer

        post_migrate.connect(signals.refresh_campus_staff_groups, sender=self)
        register_importer(FollowUpImport)
        register_importer(ReferralImport)
