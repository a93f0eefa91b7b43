"""Seats held for payments that did not come in time go to the next person on the waitlist."""

from django.conf import settings
from django.core.management import BaseCommand

from inscriptions.payments import release_expired_holds


class Command(BaseCommand):
    help = (
        "Rend à la liste d’attente les places réservées pour un paiement en ligne qui n’est pas arrivé dans les "
        "PAYMENT_HOLD_HOURS heures. La personne repasse en liste d’attente et reçoit un e-mail ; la première "
        "personne qui attendait reçoit la place. À lancer toutes les heures, par exemple avec cron : "
        "`5 * * * * cd /srv/tremplin && .venv/bin/python manage.py release_payment_holds`."
    )

    def handle(self, *args, **options):
        released = release_expired_holds()
        if options["verbosity"]:
            self.stdout.write(
                f"Places libérées faute de paiement (plus de {settings.PAYMENT_HOLD_HOURS} heures) : {released}."
            )
