"""Deleting what has outlived its retention period, in bounded batches that each commit on their own."""

from django.db import transaction

BATCH_SIZE = 500


def delete_in_batches(queryset, batch_size=BATCH_SIZE):
    """Delete the rows of `queryset`, `batch_size` at a time, each batch in its own transaction; the number deleted.

    A worker stopped midway leaves whole batches deleted and the rest untouched: the next run finds what is left
    with the same query and finishes. Cascades and delete signals (a job's files) run as with a plain delete.
    """
    model = queryset.model
    deleted = 0
    while True:
        with transaction.atomic():
            pks = list(queryset.order_by().values_list("pk", flat=True)[:batch_size])
            if not pks:
                return deleted
            model._base_manager.filter(pk__in=pks).delete()
        deleted += len(pks)
