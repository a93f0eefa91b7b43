"""Staff imports in the admin: upload → preview (dry run) → confirm. A job is only ever shown to its requester."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from campus.permissions import campuses_of
from home.spreadsheets import FileRejected
from transferts import jobs, recovery, tasks
from transferts.models import DataJob
from transferts.reading import Limits, check_workbook
from transferts.registry import import_kinds

EXTENSIONS = ("csv", "xlsx")
START_BREADCRUMB = {"url": reverse_lazy("imports:start"), "label": gettext_lazy("Imports")}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Que voulez-vous importer ?"), widget=forms.RadioSelect)
    campus = forms.ModelChoiceField(
        label=gettext_lazy("Campus"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Choisissez un campus"),
        help_text=gettext_lazy("Les lignes du fichier sont importées dans ce campus."),
    )
    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        help_text=gettext_lazy("Un fichier CSV ou XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, kinds, campuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["kind"].choices = [(kind, importer.label) for kind, importer in kinds.items()]
        if len(kinds) == 1:
            self.fields["kind"].initial = next(iter(kinds))
        self.fields["campus"].queryset = campuses
        self.only_campus = campuses[0] if len(campuses) == 1 else None
        if self.only_campus is not None:
            # One campus: nothing to choose.
            self.fields["campus"].initial = self.only_campus.pk
            self.fields["campus"].widget = forms.HiddenInput()

        self.fields["campus"].widget.attrs["aria-describedby"] = "campus-help"
        self.fields["file"].widget.attrs["aria-describedby"] = "file-help"

    def full_clean(self):
        super().full_clean()
        # Screen readers announce the error with the field it is about.
        for name in ("kind", "campus", "file"):
            if name in self.errors:
                attrs = self.fields[name].widget.attrs
                attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), f"{name}-errors"]))
                attrs["aria-invalid"] = "true"

    def clean_campus(self):
        return self.cleaned_data.get("campus") or self.only_campus

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in EXTENSIONS:
            raise forms.ValidationError(_("Le fichier doit être un CSV (.csv) ou un classeur Excel (.xlsx)."))
        if upload.size > settings.IMPORT_MAX_UPLOAD_SIZE:
            raise forms.ValidationError(
                _("Le fichier pèse %(size)s ; %(max)s au plus.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(settings.IMPORT_MAX_UPLOAD_SIZE)}
            )
        self.extension = extension
        return upload

    def clean(self):
        cleaned = super().clean()
        importer = self.kinds.get(cleaned.get("kind"))
        if importer is not None and importer.needs_campus and not cleaned.get("campus"):
            self.add_error("campus", _("Choisissez le campus dans lequel importer."))
        if importer is not None and not importer.needs_campus:
            cleaned["campus"] = None
        if cleaned.get("file") and self.extension == "xlsx" and not self.errors:
            # Only what costs nothing: the zip directory of a workbook. The file is read by the worker.
            try:
                check_workbook(cleaned["file"], Limits.from_settings())
            except FileRejected as error:
                self.add_error("file", str(error))
        return cleaned


class ImportsMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.kinds = jobs.allowed_kinds(request.user)
        if not self.kinds:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def help_rows(importer):
    return [
        {"name": column.name, "required": column.required, "help": column.help}
        for column in importer.columns
        if not column.key.startswith("target:")
    ]


@method_decorator(never_cache, name="dispatch")
class ImportStartView(ImportsMixin, FormView):
    template_name = "transferts/imports/start.html"
    page_title = gettext_lazy("Imports")

    form_class = ImportForm

    def get_form_kwargs(self):
        campuses = campuses_of(self.request.user).order_by("title")
        return {**super().get_form_kwargs(), "kinds": self.kinds, "campuses": campuses}

    def get_context_data(self, **kwargs):
        guides = [
            {
                "kind": kind,
                "importer": importer,
                "columns": help_rows(importer),
                "template_url": reverse("imports:template", args=[kind]),
            }
            for kind, importer in self.kinds.items()
        ]
        mine = DataJob.objects.filter(direction=DataJob.Direction.IMPORT, requested_by=self.request.user)
        recovery.recover_stale_jobs(mine)
        recent = mine[:10]
        return super().get_context_data(guides=guides, recent=recent, **kwargs)

    def form_valid(self, form):
        # The request only keeps the file: reading and checking it is the worker's, whatever its size.
        upload = form.cleaned_data["file"]
        job = DataJob(
            direction=DataJob.Direction.IMPORT,
            kind=form.cleaned_data["kind"],
            file_format=form.extension,
            requested_by=self.request.user,
            campus=form.cleaned_data["campus"],
            params={"filename": upload.name[:200]},
            heartbeat_at=timezone.now(),
        )
        job.source.save(upload.name, upload, save=False)
        job.save()
        tasks.preview_import.enqueue(job.pk)
        return redirect("imports:job", job.pk)


def get_job(request, pk):
    """The user's own import job (else 404), if they still hold the right to run its kind (else 403)."""
    job = get_object_or_404(
        DataJob.objects.filter(direction=DataJob.Direction.IMPORT, requested_by=request.user).select_related("campus"),
        pk=pk,
    )
    if job.kind not in jobs.allowed_kinds(request.user):
        raise PermissionDenied
    # Someone moved off a campus's team between preview and confirmation no longer writes into it.
    if job.campus_id and not campuses_of(request.user).filter(pk=job.campus_id).exists():
        raise PermissionDenied
    return job


@method_decorator(never_cache, name="dispatch")
class ImportJobView(ImportsMixin, TemplateView):
    template_name = "transferts/imports/job.html"

    def dispatch(self, request, *args, **kwargs):
        self.job = get_job(request, kwargs["pk"])
        if recovery.recover_stale_jobs(DataJob.objects.filter(pk=self.job.pk)) != (0, 0):
            self.job.refresh_from_db()
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import : %(kind)s") % {"kind": import_kinds()[self.job.kind].label}

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, START_BREADCRUMB, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        job = self.job
        summary = job.summary
        return super().get_context_data(
            job=job,
            importer=import_kinds()[job.kind],
            in_progress=job.state in (DataJob.State.QUEUED, DataJob.State.RUNNING),
            confirmed=bool(job.params.get("confirmed")),
            sample=summary.get("sample", []),
            header=summary.get("header", []),
            header_notice=jobs.header_notice(summary),
            error_count=summary.get("errors", len(job.errors)),
            hidden_errors=max(0, summary.get("errors", len(job.errors)) - len(job.errors)),
            conflict_rows=summary.get("conflict_rows", []),
            hidden_conflicts=max(0, summary.get("conflicts", 0) - len(summary.get("conflict_rows", []))),
            **kwargs,
        )


@require_POST
def confirm_import(request, pk):
    job = get_job(request, pk)
    # Conflicts keep what is recorded, unless ticked one by one or all replaced by the second button.
    if "replace_all" in request.POST:
        replace = job.summary.get("conflict_keys", [])
    else:
        replace = request.POST.getlist("replace")
    if not jobs.confirm_job(job, replace=replace, user=request.user):
        messages.error(request, jobs.confirmation_notice(job))
        return redirect("imports:job", job.pk)
    tasks.write_import.enqueue(job.pk)
    # With tasks run at once (tests, demo) the import is over already; else the page shows its progress.
    job.refresh_from_db()
    if job.state == DataJob.State.DONE:
        messages.success(request, _("Import terminé."))
    elif job.state == DataJob.State.FAILED:
        messages.error(request, _("Import annulé, rien n'a été enregistré."))
    return redirect("imports:job", job.pk)


@require_POST
def cancel_import(request, pk):
    job = get_job(request, pk)
    if job.state not in (DataJob.State.PREVIEW, DataJob.State.FAILED):
        messages.error(request, _("Cet import ne peut plus être annulé."))
        return redirect("imports:job", job.pk)
    job.source.delete(save=False)
    job.delete()
    messages.success(request, _("Import annulé, rien n'a été enregistré."))
    return redirect("imports:start")


def download_template(request, kind):
    importer = jobs.allowed_kinds(request.user).get(kind)
    if importer is None:
        raise Http404
    response = HttpResponse(importer.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="modele-{kind}.csv"'
    return response
