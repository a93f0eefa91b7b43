"""When a learner is erased, the funders' files that name her go too (run by inscriptions' erase_learner)."""

import datetime

from financeurs import exports
from financeurs.indicators import Period, scopes
from transferts.models import DataJob


def delete_named_exports_about(learner):
    """Delete the participant files already made for an agreement that requires named data and whose scope (its
    sessions starting within the file's period) covers one of her applications, with their files.

    Whether she had agreed to be named does not matter: she may have withdrawn that consent since the file was made.
    The funder asks for the file again and gets a fresh one, without her name. A file still queued is written after
    the erasure, from erased data.
    """
    sessions = set(learner.applications.values_list("session_id", flat=True))
    if not sessions:
        return 0
    jobs = DataJob.objects.filter(
        direction=DataJob.Direction.EXPORT,
        kind=exports.PARTICIPANTS,
        state=DataJob.State.DONE,
        agreement__requires_named_data=True,
    ).prefetch_related("subject")
    deleted = 0
    for job in jobs:
        if sessions.intersection(_sessions_in(job)):
            job.delete()
            deleted += 1
    return deleted


def _sessions_in(job):
    try:
        period = Period(
            start=datetime.date.fromisoformat(job.params["debut"]),
            end=datetime.date.fromisoformat(job.params["fin"]),
        )
    except (KeyError, TypeError, ValueError):
        # Without its period, the file's scope is unknown: the agreement's whole scope stands for it.
        period = Period.of_agreement(job.subject)
    [scope] = scopes(job.subject, period)
    return scope.session_ids
