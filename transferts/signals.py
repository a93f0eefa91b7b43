from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from transferts.models import DataJob


@receiver(post_delete, sender=DataJob)
def delete_data_job_files(sender, instance, **kwargs):
    """A job goes with its user, campus or subject: its files, which hold personal data, must go too."""
    for field in (instance.source, instance.result):
        if field:
            name, storage = field.name, field.storage
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
