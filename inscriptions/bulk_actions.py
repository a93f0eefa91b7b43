"""One staff decision applied to several applications at once, from the list's checkboxes."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.views.bulk_action import BulkAction

from inscriptions import services
from inscriptions.admin_filters import ApplicationFilterSet, search_applications
from inscriptions.admin_forms import BulkTransitionForm
from inscriptions.models import Application
from inscriptions.workflow import DATED_STEPS, EDGES, Role, Status


def staff_edge(target):
    """The first staff edge into a status: its label and whether it needs a comment are the same from any source."""
    return next(edge for edge in EDGES if edge.target == target and Role.STAFF in edge.roles)


class BulkTransitionAction(BulkAction):
    models = [Application]
    target = None
    comment_required = False
    # For a dated step, the label of the day asked (workflow.DATED_STEPS), else None.
    day_label = None
    template_name = "inscriptions/admin/bulk_transition.html"
    form_class = BulkTransitionForm

    @classmethod
    def for_target(cls, target, action_type, priority):
        edge = staff_edge(target)
        return type(
            f"Bulk{Status(target).name.title().replace('_', '')}Action",
            (cls,),
            {
                "target": target,
                "action_type": action_type,
                "display_name": edge.label,
                "aria_label": edge.label,
                "comment_required": edge.comment_required,
                "day_label": DATED_STEPS[edge.name][1] if edge.dated else None,
                "action_priority": priority,
                "classes": {"serious"} if target == Status.REFUSED else set(),
            },
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "comment_required": self.comment_required, "day_label": self.day_label}

    def get_visible_queryset(self):
        return Application.objects.visible_to(self.request.user).select_related("learner", "session__formation")

    def get_actionable_objects(self):
        """Only applications the user may see; the others answer 404, as if they did not exist."""
        if hasattr(self, "_objects"):
            return self._objects
        ids = self.request.GET.getlist("id")
        queryset = self.get_visible_queryset()
        if "all" in ids:
            # "Select all" keeps the list's filters and search in the query string.
            filters = ApplicationFilterSet(self.request.GET, queryset=queryset, request=self.request)
            queryset = filters.qs if filters.is_valid() else queryset.none()
            queryset = search_applications(queryset, self.request.GET.get("q", ""))
        else:
            pks = [pk for pk in ids if pk.isdigit()]
            if len(pks) != len(ids) or queryset.filter(pk__in=pks).count() != len(set(pks)):
                raise Http404
            queryset = queryset.filter(pk__in=pks)
        objects = list(queryset.order_by("submitted_at", "pk"))
        if not objects:
            raise Http404
        allowed = [application for application in objects if self.check_perm(application)]
        self._objects = allowed, {"items_with_no_access": [obj for obj in objects if obj not in allowed]}
        return self._objects

    def check_perm(self, application):
        return self.request.user.has_perm("inscriptions.decide_application")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "action": self, "header_icon": "form"}

    def form_valid(self, form):
        applications, _no_access = self.get_actionable_objects()
        done, refused = services.bulk_change_status(
            applications,
            self.target,
            actor=self.request.user,
            comment=form.cleaned_data["comment"],
            on=form.cleaned_data.get("on"),
        )
        if done:
            messages.success(
                self.request,
                ngettext(
                    "« %(action)s » : %(count)d candidature modifiée.",
                    "« %(action)s » : %(count)d candidatures modifiées.",
                    len(done),
                )
                % {"count": len(done), "action": self.display_name},
            )
        waitlisted = [application for application in done if application.status != self.target]
        if waitlisted:
            messages.warning(
                self.request,
                ngettext(
                    "La session est complète : %(count)d candidature est mise en liste d’attente (%(names)s).",
                    "La session est complète : %(count)d candidatures sont mises en liste d’attente (%(names)s).",
                    len(waitlisted),
                )
                % {"count": len(waitlisted), "names": ", ".join(str(a.learner) for a in waitlisted)},
            )
        by_reason = {}
        for application, reason in refused.items():
            by_reason.setdefault(reason, []).append(str(application.learner))
        for reason, names in by_reason.items():
            messages.error(
                self.request,
                ngettext(
                    "%(count)d candidature non modifiée (%(names)s) : %(reason)s",
                    "%(count)d candidatures non modifiées (%(names)s) : %(reason)s",
                    len(names),
                )
                % {"count": len(names), "names": ", ".join(names), "reason": reason},
            )
        if not done and not refused:
            messages.warning(self.request, _("Aucune candidature n’a été modifiée."))
        return redirect(self.next_url)


BULK_TRANSITIONS = [
    BulkTransitionAction.for_target(Status.UNDER_REVIEW, "etudier", 10),
    BulkTransitionAction.for_target(Status.ADMITTED, "admettre", 20),
    BulkTransitionAction.for_target(Status.WAITLISTED, "liste-attente", 30),
    BulkTransitionAction.for_target(Status.REFUSED, "ne-pas-retenir", 40),
    BulkTransitionAction.for_target(Status.IN_TRAINING, "debut-formation", 50),
    BulkTransitionAction.for_target(Status.COMPLETED, "formation-terminee", 60),
    # A jury gives its results for a whole group on one day.
    BulkTransitionAction.for_target(Status.CERTIFIED, "certification-obtenue", 70),
    BulkTransitionAction.for_target(Status.NOT_CERTIFIED, "certification-non-obtenue", 80),
]
