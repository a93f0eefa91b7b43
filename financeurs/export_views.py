"""Downloads of the funders' portal. Only members of the agreement's funder (and superusers) get a file;
anyone else gets a 404, so they cannot even learn that an agreement exists."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from financeurs import exports, tasks
from financeurs.forms import PeriodForm
from financeurs.models import Agreement
from home.private_files import private_file_response
from transferts.models import DataJob

# Files written before they are sent stay in memory up to this size, then spill to disk.
SPOOL_MAX_BYTES = 8 * 1024 * 1024


def export_jobs_for(user):
    """A job stays the requester's, and only while they may still download the agreement's files."""
    return DataJob.objects.filter(
        direction=DataJob.Direction.EXPORT,
        requested_by=user,
        agreement__in=Agreement.objects.readable_on_portal(user),
    ).prefetch_related("subject__funder")


def _download(request, pk, file_format, kind):
    if file_format not in exports.FORMATS:
        raise Http404
    agreement = get_object_or_404(Agreement.objects.readable_on_portal(request.user).select_related("funder"), pk=pk)
    form = PeriodForm(agreement=agreement, data=request.GET)
    # Without a period the file covers the whole agreement; a wrong period is an error, not a silent fallback.
    if form.is_bound and not form.is_valid():
        return render(
            request, "financeurs/exports/invalid_period.html", {"agreement": agreement, "form": form}, status=400
        )
    period = form.period
    if exports.runs_in_background(kind, agreement, period):
        job = tasks.start_export_job(request.user, kind, agreement, period, file_format)
        return redirect("financeurs:export_job", pk=job.pk)
    name = exports.file_name(kind, agreement, period, file_format)
    if kind == exports.PARTICIPANTS and file_format in exports.STREAMED_FORMATS:
        response = StreamingHttpResponse(
            exports.stream(kind, agreement, period, file_format), content_type=exports.CONTENT_TYPES[file_format]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115 (FileResponse closes it)
    exports.write(kind, agreement, period, file_format, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=exports.CONTENT_TYPES[file_format])


@require_GET
@login_required
def export_report(request, pk, file_format):
    return _download(request, pk, file_format, exports.REPORT)


@require_GET
@login_required
def export_participants(request, pk, file_format):
    return _download(request, pk, file_format, exports.PARTICIPANTS)


@require_GET
@login_required
def export_job(request, pk):
    job = get_object_or_404(export_jobs_for(request.user), pk=pk)
    waiting = job.state in (DataJob.State.QUEUED, DataJob.State.RUNNING)
    return render(
        request,
        "financeurs/exports/job.html",
        {"job": job, "agreement": job.subject, "waiting": waiting, "refresh_seconds": 3},
    )


@require_GET
@login_required
def export_job_download(request, pk):
    job = get_object_or_404(export_jobs_for(request.user), pk=pk, state=DataJob.State.DONE)
    if not job.result:
        raise Http404
    return private_file_response(
        job.result,
        filename=job.params.get("file_name") or f"export.{job.file_format}",
        content_type=exports.CONTENT_TYPES.get(job.file_format),
    )
