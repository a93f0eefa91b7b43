"""A session's people for the campus's first day: who applied, who has a place, how to reach them; printable and
exported in CSV or XLSX. Contact details and the pipeline's status only: never the answers asked for the funders."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from import_export import resources
from import_export.fields import Field
from import_export.formats.base_formats import CSV, XLSX
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from formations.models import Session
from inscriptions.admin_views import INDEX_BREADCRUMB, can_see_applications
from inscriptions.models import Application
from inscriptions.resources import neutralise_formula
from inscriptions.workflow import INACTIVE, LEFT_TRAINING, UNDECIDED, Status

# The list's filters: the query's value, its label, its statuses. Without one: everyone but the applications that
# went nowhere.
GROUPS = [
    ("candidats", _("Candidat·es"), UNDECIDED | {Status.WAITLISTED}),
    ("admis", _("Admis·es"), {Status.ADMITTED}),
    ("inscrits", _("Inscrit·es"), {Status.ENROLLED}),
    ("en_formation", _("En formation"), {Status.IN_TRAINING}),
    ("sortis", _("Sorti·es de formation"), LEFT_TRAINING),
    ("sans_suite", _("Sans suite"), INACTIVE),
]
STATUSES = {key: statuses for key, _label, statuses in GROUPS}
EXPORT_FORMATS = {"csv": CSV, "xlsx": XLSX}


def people_in_group(applications, group):
    if group in STATUSES:
        return applications.filter(status__in=STATUSES[group])
    return applications.exclude(status__in=INACTIVE)


def payment_label(application, session):
    if not session.is_paid:
        return _("Gratuit")
    return _("Payé") if application.has_paid else _("Non payé")


class Person:
    """One row of the list: an application, read the way the first day needs it."""

    def __init__(self, application, session, today):
        learner = application.learner
        self.application = application
        self.last_name = learner.last_name
        self.first_name = learner.first_name
        self.email = learner.email
        self.phone = learner.phone
        self.birth_date = learner.birth_date
        self.age = learner.age(today)
        self.is_minor = learner.is_minor(today)
        self.guardian_name = learner.guardian_name if self.is_minor else ""
        self.guardian_email = learner.guardian_email if self.is_minor else ""
        # The label from the enum: get_status_display() rebuilds the choices (and translates each) on every row.
        self.status = Status(application.status).label
        self.payment = payment_label(application, session)
        self.submitted_at = timezone.localtime(application.submitted_at)


class SessionPeopleResource(resources.Resource):
    """Export only, of Person rows. Formulas are neutralised as in the payments export (inscriptions.resources)."""

    last_name = Field(attribute="last_name", column_name=_("Nom"))
    first_name = Field(attribute="first_name", column_name=_("Prénom"))
    email = Field(attribute="email", column_name=_("E-mail"))
    phone = Field(attribute="phone", column_name=_("Téléphone"))
    birth_date = Field(column_name=_("Date de naissance"))
    age = Field(attribute="age", column_name=_("Âge"))
    guardian_name = Field(attribute="guardian_name", column_name=_("Parent ou tuteur (mineur·e)"))
    guardian_email = Field(attribute="guardian_email", column_name=_("E-mail du parent ou tuteur"))
    status = Field(attribute="status", column_name=_("Statut"))
    payment = Field(attribute="payment", column_name=_("Paiement"))
    submitted_at = Field(column_name=_("Candidature envoyée le"))

    class Meta:
        export_order = [
            "last_name",
            "first_name",
            "email",
            "phone",
            "birth_date",
            "age",
            "guardian_name",
            "guardian_email",
            "status",
            "payment",
            "submitted_at",
        ]

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return neutralise_formula(str(value) if value is not None else "")

    def dehydrate_birth_date(self, person):
        return person.birth_date.strftime("%d/%m/%Y") if person.birth_date else ""

    def dehydrate_submitted_at(self, person):
        return person.submitted_at.strftime("%d/%m/%Y %H:%M")


class SessionPeopleView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "inscriptions/admin/session_people.html"
    page_title = _("Personnes de la session")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not can_see_applications(request.user):
            raise PermissionDenied
        self.session = get_object_or_404(
            Session.objects.visible_to(request.user).select_related("formation", "campus"), pk=kwargs["session_pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def group(self):
        group = self.request.GET.get("statut", "")
        return group if group in STATUSES else ""

    @cached_property
    def applications(self):
        return Application.objects.visible_to(self.request.user).people_of(self.session)

    def people(self):
        today = timezone.localdate()
        return [
            Person(application, self.session, today) for application in people_in_group(self.applications, self.group)
        ]

    def get_page_subtitle(self):
        return str(self.session)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, INDEX_BREADCRUMB, {"url": "", "label": self.get_page_title()}]

    @cached_property
    def header_buttons(self):
        url = reverse("inscriptions_admin:session_people_export", args=[self.session.pk])
        query = f"&statut={self.group}" if self.group else ""
        return [
            HeaderButton(_("Télécharger en CSV"), url=f"{url}?format=csv{query}", icon_name="download"),
            HeaderButton(_("Télécharger en Excel (XLSX)"), url=f"{url}?format=xlsx{query}", icon_name="download"),
        ]

    def filters(self):
        counts = self.applications.order_by().aggregate(
            tous=Count("pk", filter=~Q(status__in=INACTIVE)),
            **{key: Count("pk", filter=Q(status__in=statuses)) for key, _label, statuses in GROUPS},
        )
        url = reverse("inscriptions_admin:session_people", args=[self.session.pk])
        return [
            {"key": key, "label": label, "count": counts[key or "tous"], "url": f"{url}?statut={key}" if key else url}
            for key, label in [("", _("Toutes les personnes")), *[(key, label) for key, label, _s in GROUPS]]
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session, people=self.people(), filters=self.filters(), group=self.group, **kwargs
        )


class SessionPeopleExportView(SessionPeopleView):
    def get(self, request, *args, **kwargs):
        export_format = EXPORT_FORMATS.get(request.GET.get("format"), CSV)()
        dataset = SessionPeopleResource().export(queryset=self.people())
        response = HttpResponse(export_format.export_data(dataset), content_type=export_format.get_content_type())
        name = slugify(f"{self.session.formation.title} {self.session.start_date:%Y-%m-%d}")
        response["Content-Disposition"] = f'attachment; filename="personnes-{name}.{export_format.get_extension()}"'
        return response
