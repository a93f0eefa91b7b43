"""Daily: e-mail the follow-up survey to learners who left 6 or 12 months ago, and remind them once."""

from django.conf import settings
from django.core.management import BaseCommand

from inscriptions.surveys import send_due_surveys, send_survey_reminders


class Command(BaseCommand):
    help = (
        "Envoie le questionnaire de suivi (« Que devenez-vous ? ») aux personnes sorties de formation il y a 6 "
        "ou 12 mois, si l’équipe n’a pas déjà noté leur situation et dans la limite de "
        "FOLLOW_UP_SURVEY_SEND_WINDOW_DAYS jours après l’échéance. Relance une seule fois, "
        "FOLLOW_UP_SURVEY_REMINDER_DAYS jours plus tard, celles qui n’ont pas répondu, avec un nouveau lien "
        "(l’ancien ne marche plus). À lancer une fois par jour, par exemple avec cron : "
        "`30 9 * * * cd /srv/tremplin && .venv/bin/python manage.py send_follow_up_surveys`. "
        "Relancer la commande le même jour n’envoie rien en double."
    )

    def handle(self, *args, **options):
        sent = send_due_surveys()
        reminded = send_survey_reminders()
        if options["verbosity"]:
            self.stdout.write(f"Questionnaires de suivi envoyés : {sent}.")
            self.stdout.write(
                f"Relances envoyées (sans réponse après {settings.FOLLOW_UP_SURVEY_REMINDER_DAYS} jours) : {reminded}."
            )
