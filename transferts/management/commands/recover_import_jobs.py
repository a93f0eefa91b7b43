from django.core.management import BaseCommand

from transferts.recovery import recover_stale_jobs


class Command(BaseCommand):
    help = (
        "Relance une fois les imports dont la tâche s'est arrêtée en route (aucun signe de vie depuis "
        "IMPORT_STALE_AFTER_SECONDS secondes), puis les marque en échec et supprime leur fichier. "
        "À lancer toutes les cinq minutes."
    )

    def handle(self, *args, **options):
        requeued, failed = recover_stale_jobs()
        if options["verbosity"]:
            self.stdout.write(f"{requeued} import(s) relancé(s), {failed} marqué(s) en échec.")
