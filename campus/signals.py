from django.db.models.signals import post_save
from django.dispatch import receiver

from campus.models import CampusPage
from campus.services import ensure_staff_group


@receiver(post_save, sender=CampusPage)
def give_new_campus_its_staff_group(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        ensure_staff_group(instance)
