"""Refunds owed through Stripe are sent again until Stripe takes them."""

from django.core.management import BaseCommand

from inscriptions.models import Refund, RefundState
from inscriptions.payments import apply_refunds_told_before_payments
from inscriptions.refunds import send_owed_refunds


class Command(BaseCommand):
    help = (
        "Envoie à Stripe les remboursements dus dont le prochain essai est venu, toujours avec la même clé "
        "d’idempotence (Stripe ne rembourse jamais deux fois). Un refus est réessayé plus tard, après "
        "REFUND_RETRY_FIRST_DELAY_MINUTES minutes puis deux fois plus à chaque fois ; après "
        "REFUND_ALERT_AFTER_ATTEMPTS refus, l’équipe du campus reçoit un e-mail. Applique aussi les remboursements "
        "annoncés par Stripe avant leur paiement, si ce paiement est arrivé depuis. À lancer toutes les cinq minutes, "
        "par exemple avec cron : `*/5 * * * * cd /srv/tremplin && .venv/bin/python manage.py send_owed_refunds`."
    )

    def handle(self, *args, **options):
        applied = apply_refunds_told_before_payments()
        sent = send_owed_refunds()
        if options["verbosity"]:
            still_owed = Refund.objects.filter(state=RefundState.OWED).count()
            self.stdout.write(
                f"Remboursements pris par Stripe : {sent}. Encore dus : {still_owed}. "
                f"Remboursements annoncés avant leur paiement, appliqués : {applied}."
            )
