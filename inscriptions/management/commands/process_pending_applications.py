"""Daily housekeeping of applications nobody answered: remind the campus teams, then close the oldest."""

from django.conf import settings
from django.core.management import BaseCommand

from inscriptions.services import close_abandoned_applications, remind_overdue_applications


class Command(BaseCommand):
    help = (
        "Traite les candidatures restées sans réponse : ferme, avec un e-mail d’excuses, celles qui attendent "
        "depuis plus de APPLICATION_CLOSE_AFTER_DAYS jours, puis envoie à l’équipe de chaque campus la liste de "
        "celles qui attendent depuis plus de APPLICATION_REVIEW_REMINDER_DAYS jours (une seule relance par "
        "candidature). À lancer une fois par jour, par exemple avec cron : "
        "`15 7 * * * cd /srv/tremplin && .venv/bin/python manage.py process_pending_applications`. "
        "Relancer la commande le même jour ne renvoie rien en double."
    )

    def handle(self, *args, **options):
        # Close first: nobody needs a reminder about an application that was just closed.
        closed = close_abandoned_applications()
        reminded = remind_overdue_applications()
        if options["verbosity"]:
            self.stdout.write(
                f"Candidatures closes sans décision (plus de {settings.APPLICATION_CLOSE_AFTER_DAYS} jours) : "
                f"{closed}."
            )
            self.stdout.write(
                f"Candidatures signalées aux équipes (plus de {settings.APPLICATION_REVIEW_REMINDER_DAYS} jours) : "
                f"{reminded}."
            )
