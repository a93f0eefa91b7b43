"""Stripe's webhook endpoint: verify, then store and act in one go, or neither."""

import logging

import stripe
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from inscriptions import payments

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe signs its requests; the signature replaces the CSRF token.
@require_POST
def stripe_webhook(request):
    signature = request.headers.get("Stripe-Signature", "")
    if not signature:
        return HttpResponseBadRequest("signature manquante")
    try:
        event = payments.verify_event(request.body, signature)
    except (ValueError, stripe.SignatureVerificationError):
        logger.warning("Événement Stripe refusé : signature ou contenu invalide.")
        return HttpResponseBadRequest("signature invalide")
    if not payments.is_well_formed(event):
        # Signed, yet not an event we can read: said plainly, and nothing is stored or done.
        logger.warning("Événement Stripe refusé : signé mais mal formé (id, type ou data.object manquant).")
        return HttpResponseBadRequest("événement mal formé : id, type et data.object sont attendus")
    try:
        outcome = payments.handle_event(event)
    except Exception:
        # Nothing of the event was stored (it is one transaction): a 500 makes Stripe send it again, and the
        # redelivery finishes the job. Any error counts, a database one as much as a bug.
        logger.exception("Événement Stripe non traité, Stripe le renverra.")
        return HttpResponse(
            "échec du traitement : rien n’est enregistré, Stripe renverra l’événement",
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(outcome, content_type="text/plain; charset=utf-8")
