from django.core.management import BaseCommand
from django.utils import timezone

from inscriptions.services import retention
from transferts.retention import purge_data_jobs

# In this order: a lifted warning must not count as a warning sent, and an erased account's sessions and jobs go
# with it before the other purges count theirs.
STEPS = (
    ("{} avertissement(s) d’inactivité levé(s) (connexion depuis)", retention.cancel_inactivity_warnings),
    ("{} compte(s) inactif(s) prévenu(s)", retention.warn_inactive_learners),
    ("{} compte(s) inactif(s) anonymisé(s)", retention.erase_inactive_learners),
    ("{} orientation(s) jamais utilisée(s) supprimée(s)", retention.purge_unused_referrals),
    ("{} événement(s) Stripe supprimé(s)", retention.purge_stripe_events),
    ("{} entrée(s) d’historique supprimée(s)", retention.purge_log_entries),
    ("{} tâche(s) de fond supprimée(s)", retention.purge_task_results),
    ("{} session(s) expirée(s) supprimée(s)", retention.purge_expired_sessions),
    ("{} lien(s) d’accord parental expiré(s) supprimé(s)", retention.purge_guardian_consent_tokens),
    ("{} import(s) ou export(s) supprimé(s) avec leurs fichiers", purge_data_jobs),
)


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation des données personnelles (réglages *_DAYS, docs/security.md) : "
        "prévient puis anonymise les comptes inactifs, supprime orientations inutilisées, événements Stripe, "
        "historiques, tâches de fond, sessions expirées, liens d’accord parental expirés, imports et exports. "
        "À lancer une fois par jour (cron) ; relancée après un arrêt, elle finit le travail."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        counts = []
        for label, purge in STEPS:
            # Each purge commits as it goes: a run stopped midway keeps what it did, and the next run finishes.
            counts.append(label.format(purge(now)))
        if options["verbosity"]:
            self.stdout.write(", ".join(counts) + ".")
