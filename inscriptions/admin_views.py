"""Views of the staff's back office: scoped queryset, get_object_or_404, form, one service call, message, redirect.

Every view finds the application among those the user may see, so staff of another campus get a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permissions import policy_registry

from home.private_files import private_file_response
from inscriptions import payments, services
from inscriptions.admin_forms import (
    FollowUpForm,
    ManualPaymentForm,
    NotificationSettingsForm,
    RefundForm,
    StaffNoteForm,
    StepForm,
    TransitionForm,
)
from inscriptions.enums import FollowUpMilestone, GuardianConsentMethod
from inscriptions.exceptions import DateRefused
from inscriptions.forms import EntryProfileForm
from inscriptions.models import (
    Application,
    Learner,
    Payment,
    PaymentMethod,
    RefundState,
    StaffNotificationSettings,
)
from inscriptions.services import attendance
from inscriptions.workflow import DATED_STEPS, ENTERED_TRAINING, LEFT_TRAINING, UNDECIDED, Role, Status, find_edge

# Shown elsewhere on the page, or never to staff. (The answers for the funders' statistics are not on the profile
# at all: they live in EntryAnswers, which no staff page reads.)
# The pseudonym key would let a reader of a funder's file find the person; the inactivity date is housekeeping.
PROFILE_FIELDS_LEFT_OUT = {"id", "user", "anonymised_at", "pseudonym_id", "inactivity_warned_at"}
INDEX_BREADCRUMB = {"url": reverse_lazy("inscriptions_admin:index"), "label": gettext_lazy("Candidatures")}


def can_see_applications(user):
    return policy_registry.get_by_type(Application).user_has_permission(user, "view")


def get_application(request, pk, permission="inscriptions.view_application"):
    """The application if the user may see it (else 404) and holds the permission (else 403)."""
    application = get_object_or_404(
        Application.objects.visible_to(request.user).select_related(
            "learner__user", "learner__qpv", "learner__guardian_consent_recorded_by", "session__formation", "campus"
        ),
        pk=pk,
    )
    if not request.user.has_perm(permission) or not can_see_applications(request.user):
        raise PermissionDenied
    return application


def can_see_payments(user):
    return can_see_applications(user) and user.has_perm("inscriptions.view_payment")


def visible_payments(user):
    """Payments of the applications the user may see: their campuses' only, every one for a superuser."""
    return Payment.objects.filter(application__in=Application.objects.visible_to(user))


def euros(cents):
    return f"{(cents or 0) / 100:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def refunded_cents(payment, refunds):
    # Stripe's charge.refunded event may lag behind the refund it confirmed: show whichever is known to be more.
    confirmed = sum(refund.amount_cents for refund in refunds if refund.state == RefundState.CONFIRMED)
    return max(payment.refunded_cents, confirmed)


def committed_cents(payment, refunds):
    """Refunded, or owed and on its way: what is left to refund starts after it."""
    return max(payment.refunded_cents, sum(refund.amount_cents for refund in refunds if refund.is_counted))


def refund_state_label(refund):
    """A refund's state for staff, with the tries and the last error while Stripe has not taken it."""
    label = capfirst(refund.get_state_display())
    if refund.state == RefundState.OWED and refund.attempts:
        label = _("%(state)s, %(attempts)d essai(s) refusé(s) : %(error)s") % {
            "state": _("Dû, échoue") if refund.is_failing else label,
            "attempts": refund.attempts,
            "error": refund.last_error,
        }
    elif refund.state == RefundState.FAILED and refund.last_error:
        label = f"{label} : {refund.last_error}"
    return label


def user_label(user):
    return (user.get_full_name() or user.get_username()) if user else ""


def profile_rows(learner):
    rows = [(_("E-mail du compte"), learner.email)]
    for field in Learner._meta.concrete_fields:
        if field.name in PROFILE_FIELDS_LEFT_OUT:
            continue
        value = getattr(learner, field.name)
        if field.choices:
            value = getattr(learner, f"get_{field.name}_display")()
        elif isinstance(value, bool):
            value = _("Oui") if value else _("Non")
        rows.append((capfirst(field.verbose_name), value))
    return rows


# --- One application ----------------------------------------------------------------------------


class ApplicationDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "inscriptions/admin/detail.html"
    header_icon = "form"
    permission = "inscriptions.view_application"

    def dispatch(self, request, *args, **kwargs):
        self.application = get_application(request, kwargs["pk"], self.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.application.learner)

    def get_page_subtitle(self):
        return str(self.application.session.formation.title)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, INDEX_BREADCRUMB, {"url": "", "label": self.get_page_title()}]

    @property
    def detail_url(self):
        return reverse("inscriptions_admin:detail", args=[self.application.pk])

    def get_context_data(self, **kwargs):
        application, user = self.application, self.request.user
        learner = application.learner
        can_decide = services.staff_can_decide(user, application)
        context = {
            "application": application,
            "learner": learner,
            "profile_rows": profile_rows(learner),
            "age_today": learner.age(),
            "is_minor": learner.is_minor(),
            "needs_guardian_consent": learner.needs_guardian_consent(),
            "can_decide": can_decide,
            "transitions": services.allowed_transitions(application, Role.STAFF) if can_decide else [],
            "history": application.history.select_related("actor"),
            "notes": application.notes.select_related("author"),
            "can_add_note": user.has_perm("inscriptions.add_staffnote"),
            "note_form": StaffNoteForm(),
            "has_left_training": application.status in LEFT_TRAINING and application.left_on is not None,
            "can_record_follow_up": user.has_perm("inscriptions.add_followup"),
            **kwargs,
        }
        if can_decide and not learner.anonymised_at:
            # The profile facts asked before the training starts, filled with the person (never her special answers).
            context.setdefault("entry_profile_form", EntryProfileForm(instance=learner, campus=application.campus))
        if application.status in ENTERED_TRAINING:
            context["attendance"] = attendance.summary_of(application)
            context["absent_days"] = attendance.long_absences([application.pk]).get(application.pk)
            context["alert_days"] = settings.ATTENDANCE_ABSENCE_ALERT_DAYS
        # Dated steps open their confirmation screen (StepView); the others are buttons of one form.
        context["dated_steps"] = [
            (edge, reverse("inscriptions_admin:step", args=[application.pk, edge.target]))
            for edge in context["transitions"]
            if edge.dated
        ]
        context["undated_transitions"] = [edge for edge in context["transitions"] if not edge.dated]
        self.add_payments_context(context)
        if context["has_left_training"]:
            recorded = {
                follow_up.milestone: follow_up
                for follow_up in application.follow_ups.select_related("rome", "recorded_by")
            }
            due_dates = application.follow_up_due_dates()
            context["follow_ups"] = [
                (milestone, due_dates[milestone], recorded.get(milestone.value)) for milestone in FollowUpMilestone
            ]
            missing = [milestone for milestone in FollowUpMilestone if milestone.value not in recorded]
            context.setdefault("follow_up_form", FollowUpForm(initial={"milestone": missing[0] if missing else None}))
        return super().get_context_data(**context)

    def add_payments_context(self, context):
        application, user = self.application, self.request.user
        application_payments = list(
            application.payments.select_related("recorded_by").prefetch_related("refunds__requested_by")
        )
        context["shows_payments"] = application.session.is_paid or bool(application_payments)
        if not context["shows_payments"] or not user.has_perm("inscriptions.view_payment"):
            context["shows_payments"] = False
            context["timeline"] = [("status", change.created_at, change) for change in context["history"]]
            return
        can_refund = user.has_perm("inscriptions.add_refund")
        refund_form_for = context.get("refund_form_for")
        rows, timeline = [], [("status", change.created_at, change) for change in context["history"]]
        for payment in application_payments:
            refunds = list(payment.refunds.all())
            refunded = refunded_cents(payment, refunds)
            committed = committed_cents(payment, refunds)
            refund_form = None
            if can_refund and payment.status in payments.SETTLED and committed < payment.amount_cents:
                if refund_form_for and refund_form_for[0] == payment.pk:
                    refund_form = refund_form_for[1]
                else:
                    refund_form = RefundForm(
                        prefix=f"refund-{payment.pk}", initial={"amount_cents": payment.amount_cents - committed}
                    )
            rows.append(
                {
                    "payment": payment,
                    "amount": euros(payment.amount_cents),
                    "refunded": euros(refunded) if refunded else "",
                    "refunds": [
                        (
                            refund,
                            euros(refund.amount_cents),
                            user_label(refund.requested_by),
                            refund_state_label(refund),
                        )
                        for refund in refunds
                    ],
                    "refund_form": refund_form,
                }
            )
            if payment.paid_at and payment.method != PaymentMethod.STRIPE:
                timeline.append(
                    (
                        "payment",
                        payment.paid_at,
                        (payment, euros(payment.amount_cents), user_label(payment.recorded_by)),
                    )
                )
            elif payment.paid_at:
                timeline.append(("payment", payment.paid_at, (payment, euros(payment.amount_cents), "")))
            timeline += [
                ("refund", refund.created_at, (refund, euros(refund.amount_cents), user_label(refund.requested_by)))
                for refund in refunds
            ]
        timeline.sort(key=lambda entry: entry[1])
        context["timeline"] = timeline
        context["payment_rows"] = rows
        if user.has_perm("inscriptions.add_payment"):
            context.setdefault(
                "manual_payment_form", ManualPaymentForm(initial={"amount_cents": payments.amount_due(application)})
            )


class ApplicationActionView(ApplicationDetailView):
    """A POST on one application; a form that does not validate re-renders the detail page."""

    http_method_names = ["post"]

    def render_with(self, **forms):
        return self.render_to_response(self.get_context_data(**forms))


class TransitionView(ApplicationActionView):
    permission = "inscriptions.decide_application"

    def post(self, request, *args, **kwargs):
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
            return redirect(self.detail_url)
        target = form.cleaned_data["target"]
        edge = find_edge(self.application.status, target)
        if edge is not None and edge.dated:
            # Recorded with its date, on its confirmation screen.
            return redirect("inscriptions_admin:step", self.application.pk, target)
        try:
            change = services.change_status(
                self.application, target, role=Role.STAFF, actor=request.user, comment=form.cleaned_data["comment"]
            )
        except services.Refused as refused:
            messages.error(request, refused.reason)
            return redirect(self.detail_url)
        if change.to_status != target:
            messages.warning(
                request,
                _("La session est complète : candidature mise en liste d’attente (%(name)s).")
                % {"name": self.application.learner},
            )
        else:
            messages.success(
                request,
                _("%(name)s : candidature « %(status)s ».")
                % {"name": self.application.learner, "status": change.get_to_status_display()},
            )
        return redirect(self.detail_url)


class StepView(WagtailAdminTemplateMixin, FormView):
    """A dated step (started, finished, dropped out, certified or not): a screen that says what will be recorded,
    with the day (today unless changed); confirming records it, an error leaves everything as it was."""

    template_name = "inscriptions/admin/step.html"
    form_class = StepForm
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        self.application = get_application(request, kwargs["pk"], "inscriptions.decide_application")
        self.detail_url = reverse("inscriptions_admin:detail", args=[self.application.pk])
        self.edge = find_edge(self.application.status, kwargs["target"])
        if self.edge is None or not self.edge.dated or Role.STAFF not in self.edge.roles:
            messages.error(
                request,
                _("Cette étape n’est pas possible pour une candidature « %(status)s ».")
                % {"status": Status(self.application.status).label},
            )
            return redirect(self.detail_url)
        self.sentence, self.day_label = DATED_STEPS[self.edge.name]
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.edge.label)

    def get_page_subtitle(self):
        return str(self.application.learner)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            INDEX_BREADCRUMB,
            {"url": self.detail_url, "label": str(self.application.learner)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "day_label": self.day_label}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            application=self.application,
            sentence=self.sentence % {"name": self.application.learner},
            detail_url=self.detail_url,
            **kwargs,
        )

    def form_valid(self, form):
        day = form.cleaned_data["on"]
        try:
            services.change_status(
                self.application,
                self.edge.target,
                role=Role.STAFF,
                actor=self.request.user,
                comment=form.cleaned_data["comment"],
                on=day,
            )
        except services.Refused as refused:
            form.add_error("on" if isinstance(refused, DateRefused) else None, refused.reason)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s : « %(step)s » noté le %(day)s.")
            % {"name": self.application.learner, "step": self.edge.label, "day": day.strftime("%d/%m/%Y")},
        )
        return redirect(self.detail_url)


class StaffNoteView(ApplicationActionView):
    permission = "inscriptions.add_staffnote"

    def post(self, request, *args, **kwargs):
        form = StaffNoteForm(request.POST)
        if form.is_valid():
            try:
                services.add_staff_note(self.application, author=request.user, text=form.cleaned_data["text"])
            except services.Refused as refused:
                form.add_error("text", refused.reason)
        if form.errors:
            return self.render_with(note_form=form)
        messages.success(request, _("Note ajoutée."))
        return redirect(f"{self.detail_url}#notes")


class GuardianConsentView(ApplicationActionView):
    permission = "inscriptions.decide_application"

    def post(self, request, *args, **kwargs):
        learner = self.application.learner
        if not learner.needs_guardian_consent():
            messages.warning(request, _("Aucun accord parental n’est attendu pour cette personne."))
            return redirect(self.detail_url)
        services.record_guardian_consent(learner, method=GuardianConsentMethod.PAPER, recorded_by=request.user)
        messages.success(request, _("Accord parental reçu sur papier enregistré pour %(name)s.") % {"name": learner})
        return redirect(self.detail_url)


class EntryProfileView(ApplicationActionView):
    """Staff fill, with the person, the profile facts asked before the training starts."""

    permission = "inscriptions.decide_application"

    def post(self, request, *args, **kwargs):
        learner = self.application.learner
        if learner.anonymised_at:
            raise PermissionDenied
        form = EntryProfileForm(request.POST, instance=learner, campus=self.application.campus)
        if not form.is_valid():
            return self.render_with(entry_profile_form=form)
        form.save()
        messages.success(request, _("Profil de %(name)s enregistré.") % {"name": learner})
        return redirect(f"{self.detail_url}#avant-formation")


class FollowUpView(ApplicationActionView):
    permission = "inscriptions.add_followup"

    def post(self, request, *args, **kwargs):
        form = FollowUpForm(request.POST)
        if not form.is_valid():
            return self.render_with(follow_up_form=form)
        fields = dict(form.cleaned_data)
        milestone, placement = fields.pop("milestone"), fields.pop("placement")
        try:
            services.record_follow_up(
                self.application, milestone, placement=placement, recorded_by=request.user, **fields
            )
        except services.Refused as refused:
            messages.error(request, refused.reason)
            return self.render_with(follow_up_form=form)
        messages.success(
            request,
            _("Suivi « %(milestone)s » enregistré.") % {"milestone": FollowUpMilestone(milestone).label},
        )
        return redirect(f"{self.detail_url}#suivis")


class ManualPaymentView(ApplicationActionView):
    permission = "inscriptions.add_payment"

    def post(self, request, *args, **kwargs):
        form = ManualPaymentForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("key", []):
                messages.error(request, error)  # a hidden field: its error is shown at the top of the page
            return self.render_with(manual_payment_form=form)
        try:
            payment = payments.record_manual_payment(
                self.application,
                amount_cents=form.cleaned_data["amount_cents"],
                method=form.cleaned_data["method"],
                recorded_by=request.user,
                key=form.cleaned_data["key"],
            )
        except services.Refused as refused:
            messages.error(request, refused.reason)
            return self.render_with(manual_payment_form=form)
        if payment.was_recorded_before:
            message = _("Formulaire déjà envoyé : le paiement de %(amount)s (%(method)s) compte une seule fois.")
        else:
            message = _("Paiement de %(amount)s enregistré (%(method)s).")
        amount = {"amount": euros(payment.amount_cents), "method": payment.get_method_display()}
        messages.success(request, message % amount)
        return redirect(f"{self.detail_url}#paiements")


class RefundView(ApplicationActionView):
    permission = "inscriptions.add_refund"

    def post(self, request, *args, **kwargs):
        payment = get_object_or_404(self.application.payments.all(), pk=kwargs["payment_pk"])
        form = RefundForm(request.POST, prefix=f"refund-{payment.pk}")
        if not form.is_valid():
            return self.render_with(refund_form_for=(payment.pk, form))
        try:
            refund = payments.refund_payment(
                payment,
                amount_cents=form.cleaned_data["amount_cents"],
                reason=form.cleaned_data["reason"],
                requested_by=request.user,
            )
        except services.Refused as refused:
            messages.error(request, refused.reason)
            return self.render_with(refund_form_for=(payment.pk, form))
        if refund.state == RefundState.OWED:
            # Written down as owed all the same: it is sent again by itself until Stripe takes it.
            messages.warning(
                request,
                _(
                    "Stripe n’a pas pu faire le remboursement de %(amount)s tout de suite : %(error)s "
                    "Il est noté comme dû et sera envoyé de nouveau automatiquement."
                )
                % {"amount": euros(refund.amount_cents), "error": refund.last_error},
            )
            return redirect(f"{self.detail_url}#paiements")
        if payment.method == PaymentMethod.STRIPE:
            message = _("Remboursement de %(amount)s demandé à Stripe.")
        else:
            message = _("Remboursement de %(amount)s enregistré.")
        messages.success(request, message % {"amount": euros(refund.amount_cents)})
        return redirect(f"{self.detail_url}#paiements")


@never_cache
def download_cv(request, pk):
    application = get_application(request, pk)
    if not application.cv:
        raise Http404
    # A neutral name: the stored one is random, and the learner's own file name often holds their name.
    return private_file_response(application.cv, filename=f"cv-{application.pk}.pdf", content_type="application/pdf")


# --- Lists of work to do ------------------------------------------------------------------------


class FollowUpsDueView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "inscriptions/admin/follow_ups_due.html"
    page_title = gettext_lazy("Suivis à faire")
    header_icon = "calendar-check"

    def dispatch(self, request, *args, **kwargs):
        if not can_see_applications(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, INDEX_BREADCRUMB, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        due = services.follow_ups_due(Application.objects.visible_to(self.request.user))
        milestones = [
            {
                "milestone": milestone,
                "rows": [(application, application.follow_up_due_dates()[milestone]) for application in applications],
            }
            for milestone, applications in due.items()
        ]
        return super().get_context_data(milestones=milestones, **kwargs)


# --- The staff member's own settings ------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class NotificationSettingsView(WagtailAdminTemplateMixin, FormView):
    template_name = "inscriptions/admin/notifications.html"
    form_class = NotificationSettingsForm
    page_title = gettext_lazy("Mes notifications")
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": StaffNotificationSettings.for_user(self.request.user)}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Vos préférences de notification sont enregistrées."))
        return redirect("inscriptions_admin:notifications")


# --- Dashboard ----------------------------------------------------------------------------------


class ApplicationsDashboardPanel(Component):
    """On the admin's home page: how many applications wait for an answer, and how many for too long."""

    name = "candidatures"
    order = 50
    template_name = "inscriptions/admin/dashboard_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        applications = Application.objects.visible_to(self.user)
        return {
            "waiting": applications.undecided().count(),
            "overdue": (applications & services.overdue_applications()).count(),
            "days": settings.APPLICATION_REVIEW_REMINDER_DAYS,
            "index_url": reverse("inscriptions_admin:index"),
            "undecided_statuses": sorted(UNDECIDED),
        }
