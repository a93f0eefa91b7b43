import datetime

from django.conf import settings
from django.core.management import BaseCommand
from django.utils import timezone

from transferts.models import DataJob


class Command(BaseCommand):
    help = (
        "Supprime les fichiers des imports et exports terminés depuis plus de DATA_JOB_RETENTION_DAYS jours "
        "(ils contiennent des données personnelles). À lancer une fois par jour (cron)."
    )

    def handle(self, *args, **options):
        limit = timezone.now() - datetime.timedelta(days=settings.DATA_JOB_RETENTION_DAYS)
        # Abandoned previews never finish: their upload is purged on its age. Deleting a job deletes its files.
        purged, _ = DataJob.objects.filter(created_at__lt=limit).delete()
        if options["verbosity"]:
            self.stdout.write(f"{purged} import(s) ou export(s) supprimé(s), avec leurs fichiers.")
