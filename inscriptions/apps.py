from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InscriptionsConfig(AppConfig):
    name = "inscriptions"
    verbose_name = "Inscriptions"

    def ready(self):
        from inscriptions import signals

        post_migrate.connect(signals.refresh_campus_staff_groups, sender=self)
