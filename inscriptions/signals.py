from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from formations.models import Session
from inscriptions.models import Learner, Referral
from inscriptions.workflow import Status


@receiver(post_save, sender=Learner)
def link_partner_referrals(sender, instance, raw=False, **kwargs):
    """A young person a partner referred has now made a profile: the campus sees that the referral came to
    something. Matched on the account's e-mail, the only identifier both lists share."""
    if raw or not instance.user_id or instance.anonymised_at:
        return
    email = instance.user.email
    if email:
        Referral.objects.filter(learner__isnull=True, email__iexact=email).update(learner=instance)


@receiver(post_save, sender=Session)
def offer_new_seats_to_waitlist(sender, instance, created, raw=False, **kwargs):
    """Staff raised a session's capacity: the waitlist moves at once."""
    if created or raw:
        return
    instance.refresh_from_db(fields=["seats_taken"])
    if instance.seats_taken >= instance.capacity:
        return
    if not instance.applications.filter(status=Status.WAITLISTED).exists():
        return
    from inscriptions.services import promote_waitlist_for

    transaction.on_commit(lambda: promote_waitlist_for(instance.pk))
