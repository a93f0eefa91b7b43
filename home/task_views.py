"""« Tâches en échec »: background tasks whose attempts are all spent, for the superusers, who may run one again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import ListView
from django_tasks_db.models import DBTaskResult

from home import task_retries


def superusers_only(request):
    if not request.user.is_superuser:
        raise PermissionDenied


class FailedTasksView(ListView):
    template_name = "home/failed_tasks.html"
    context_object_name = "tasks"
    paginate_by = 50
    page_title = gettext_lazy("Tâches en échec")

    def dispatch(self, request, *args, **kwargs):
        superusers_only(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return task_retries.failed_tasks()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "page_title": self.page_title, "header_icon": "warning"}


@require_POST
def retry_task(request, pk):
    superusers_only(request)
    db_result = get_object_or_404(DBTaskResult, pk=pk)
    if task_retries.retry_now(db_result):
        messages.success(request, _("La tâche « %(name)s » est remise dans la file.") % {"name": db_result.task_path})
    else:
        messages.info(request, _("Cette tâche n’est plus en échec."))
    return redirect("failed_tasks:index")
