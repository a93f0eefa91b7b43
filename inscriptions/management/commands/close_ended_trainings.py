"""Daily: trainings whose session ended and whose exit nobody recorded. Tell the campus teams, close the oldest."""

from django.conf import settings
from django.core.management import BaseCommand

from inscriptions.services import close_ended_trainings, remind_ended_trainings


class Command(BaseCommand):
    help = (
        "Traite les candidatures restées « en formation » après la fin de leur session : note « Formation "
        "terminée », à la date de fin de la session et avec un mot dans l’historique, celles dont la session est "
        "finie depuis plus de ENDED_TRAINING_GRACE_DAYS jours, puis envoie à l’équipe de chaque campus la liste "
        "des autres, avec un lien vers chacune. À lancer une fois par jour, par exemple avec cron : "
        "`20 7 * * * cd /srv/tremplin && .venv/bin/python manage.py close_ended_trainings`. "
        "Relancer la commande ne clôt rien deux fois ; interrompue, elle finit le travail au passage suivant."
    )

    def handle(self, *args, **options):
        # Close first: nobody needs to be told about a training that was just closed.
        closed = close_ended_trainings()
        listed = remind_ended_trainings()
        if options["verbosity"]:
            self.stdout.write(
                f"Formations closes automatiquement (session finie depuis plus de "
                f"{settings.ENDED_TRAINING_GRACE_DAYS} jours) : {closed}."
            )
            self.stdout.write(f"Formations finies signalées aux équipes (sortie à enregistrer) : {listed}.")
