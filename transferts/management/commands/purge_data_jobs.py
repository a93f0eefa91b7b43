from django.core.management import BaseCommand

from transferts.retention import purge_data_jobs


class Command(BaseCommand):
    help = (
        "Supprime les imports et exports de plus de DATA_JOB_RETENTION_DAYS jours, avec leurs fichiers. "
        "purge_personal_data, la purge quotidienne, le fait aussi : cette commande ne fait que cette partie."
    )

    def handle(self, *args, **options):
        purged = purge_data_jobs()
        if options["verbosity"]:
            self.stdout.write(f"{purged} import(s) ou export(s) supprimé(s), avec leurs fichiers.")
