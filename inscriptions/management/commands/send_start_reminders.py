"""Daily: remind enrolled people, a few days before their session starts, of the address, hours and first day."""

from django.conf import settings
from django.core.management import BaseCommand

from inscriptions.services import send_start_reminders


class Command(BaseCommand):
    help = (
        "Envoie à chaque personne inscrite, SESSION_START_REMINDER_DAYS jours avant le début de sa session, un "
        "rappel : date, horaires, adresse et premier jour. Une seule fois par candidature : relancer la commande "
        "ne renvoie rien. À lancer une fois par jour, par exemple avec cron : "
        "`30 8 * * * cd /srv/tremplin && .venv/bin/python manage.py send_start_reminders`."
    )

    def handle(self, *args, **options):
        reminded = send_start_reminders()
        if options["verbosity"]:
            self.stdout.write(
                f"Rappels envoyés (sessions qui commencent dans {settings.SESSION_START_REMINDER_DAYS} jours "
                f"au plus) : {reminded}."
            )
