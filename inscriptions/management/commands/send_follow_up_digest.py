"""Weekly reminder to campus teams of the follow-ups (exit, 6 and 12 months) that are due."""

from django.core.management import BaseCommand

from inscriptions.services import send_follow_up_digests


class Command(BaseCommand):
    help = (
        "Envoie à l’équipe de chaque campus le nombre de suivis de sortie (à la sortie, à 6 et à 12 mois) "
        "arrivés à échéance et pas encore saisis. À lancer une fois par semaine, par exemple le lundi avec cron : "
        "`0 8 * * 1 cd /srv/tremplin && .venv/bin/python manage.py send_follow_up_digest`."
    )

    def handle(self, *args, **options):
        counts = send_follow_up_digests()
        if options["verbosity"]:
            self.stdout.write(f"Campus prévenus : {len(counts)}.")
