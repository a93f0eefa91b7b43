"""The learner's side of enrolment: apply, follow, act on one's applications, own one's data."""

import logging
import uuid

import stripe
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from formations.enums import FeeKind
from formations.models import Session
from home.errors import drop_lost_connections
from inscriptions import notifications, payments, services
from inscriptions.consent_views import current_consent_required, notice_context
from inscriptions.forms import (
    ApplicantProfileForm,
    ApplicationForm,
    DeleteAccountForm,
    EntryAnswersForm,
    GuardianConsentForm,
    LearnerEntryProfileForm,
    LearnerProfileForm,
)
from inscriptions.models import Application, EntryAnswers, GuardianConsentToken
from inscriptions.services import attendance
from inscriptions.services.guardian import consent_through_link
from inscriptions.workflow import AWAITING_START, ENTERED_TRAINING, NEXT_STEP, Role, Status

# The learner's buttons in their space: URL word → target status.
LEARNER_ACTIONS = {"confirmer": Status.ENROLLED, "retirer": Status.WITHDRAWN}
GUARDIAN_REMINDER_INTERVAL = 10 * 60

logger = logging.getLogger(__name__)
# The « Payer » form posts here, then is redirected to Stripe's hosted page: the CSP must let the form go there.
CHECKOUT_FORM_ACTION = {"form-action": ["https://checkout.stripe.com"]}
NOT_SAVED = _lazy(
    "Nous n’avons pas pu enregistrer votre candidature : le service a eu un problème. Réessayez en "
    "renvoyant le formulaire, votre texte est gardé ci-dessous."
)
UNAVAILABLE = _lazy(
    "Le paiement en ligne n’est pas disponible : le campus enregistre votre paiement "
    "(espèces, chèque, prise en charge)."
)


def learner_of(user):
    return getattr(user, "learner", None) if user.is_authenticated else None


def own_applications(user):
    return (
        Application.objects.filter(learner__user=user, learner__user__isnull=False)
        .select_related("session__formation", "session__campus", "campus")
        .prefetch_related("payments__refunds")
    )


def privacy_notice(request):
    return render(request, "inscriptions/confidentialite.html", notice_context())


# --- Applying -----------------------------------------------------------------------------------


@login_required
@current_consent_required
def apply(request, session_id):
    session = get_object_or_404(
        Session.objects.select_related("formation", "campus"), pk=session_id, formation__live=True
    )
    context = {"session": session, "formation": session.formation, "campus": session.campus}
    learner = learner_of(request.user)
    data = submitted_data(request)
    # The same form sent again (after an error page, a double tap): it lands on the application already saved.
    if learner is not None and (sent := services.submitted_application(learner, data and data["submission_key"])):
        return redirect("inscriptions:postuler_envoye", pk=sent.pk)
    if not session.is_open_for_applications():
        reason = _("Les candidatures sont fermées pour cette session.")
        return render(request, "inscriptions/apply_refused.html", {**context, "reason": reason})

    if learner is None or not learner.has_consented:
        return profile_step(request, context, learner)

    reason = services.application_refusal(learner, session)
    if reason:
        return render(request, "inscriptions/apply_refused.html", {**context, "reason": reason}, status=409)

    form = ApplicationForm(data=data, files=request.FILES if data else None)
    status = 200
    if form.is_valid():
        try:
            application = services.submit_application(
                learner,
                session,
                motivation=form.cleaned_data["motivation"],
                availability=form.cleaned_data["availability"],
                cv=form.cleaned_data["cv"] or None,
                submission_key=form.cleaned_data["submission_key"],
            )
        except services.Refused as refusal:
            form.add_error(None, refusal.reason)
        except (OperationalError, InterfaceError):
            logger.exception("The database failed during an application to session %s", session.pk)
            # Saved or not, she is told which: a saved application is never reported as failed.
            drop_lost_connections()
            if sent := services.submitted_application(learner, form.cleaned_data["submission_key"]):
                return redirect("inscriptions:postuler_envoye", pk=sent.pk)
            form.add_error(None, NOT_SAVED)
            status = 503
        else:
            return redirect("inscriptions:postuler_envoye", pk=application.pk)
    context = {**context, "form": form, "learner": learner, "step": 2}
    return render(request, "inscriptions/apply.html", context, status=status)


def submitted_data(request):
    """The application form's data, with a submission key even from a page shown before keys existed."""
    if request.method != "POST":
        return None
    data = request.POST.copy()
    try:
        uuid.UUID(data.get("submission_key", ""))
    except ValueError:
        data["submission_key"] = str(uuid.uuid4())
    return data


def profile_step(request, context, learner):
    form = ApplicantProfileForm(
        data=request.POST if request.method == "POST" else None,
        instance=learner,
        campus=context["campus"],
        user=request.user,
    )
    if form.is_valid():
        save_profile(request, form)
        messages.success(request, _("Votre profil est enregistré. Plus qu’une étape !"))
        return redirect(request.path)
    return render(request, "inscriptions/apply_profile.html", {**context, "form": form, "step": 1})


def save_profile(request, form):
    return services.save_profile(
        form.save(commit=False), user=request.user, consented=bool(form.cleaned_data.get("consent"))
    )


@login_required
@current_consent_required
def application_sent(request, pk):
    application = get_object_or_404(own_applications(request.user), pk=pk)
    return render(
        request,
        "inscriptions/apply_sent.html",
        {"application": application, "next_step": NEXT_STEP[application.status], "step": 3},
    )


# --- The learner's space ------------------------------------------------------------------------


@csp_update(CHECKOUT_FORM_ACTION)
@login_required
@current_consent_required
def learner_space(request):
    learner = learner_of(request.user)
    if learner is None and request.user.funders.exists():
        # A funder's account has no learner space: "Mon espace" is their funders' portal.
        return redirect("financeurs:index")
    rows = []
    if learner is not None:
        applications = list(own_applications(request.user).order_by("-submitted_at", "-pk"))
        hours = attendance.summaries([app.pk for app in applications if app.status in ENTERED_TRAINING])
        for application in applications:
            targets = {edge.target for edge in services.allowed_transitions(application, Role.LEARNER)}
            money = payment_info(application)
            next_step = NEXT_STEP.get(application.status, "")
            if money and money["can_pay"]:
                next_step = _("Bonne nouvelle : une place vous attend. Payez pour la confirmer.")
            rows.append(
                {
                    "application": application,
                    "next_step": next_step,
                    "money": money,
                    # A paid seat is confirmed by the payment itself, never by a button.
                    "can_confirm": Status.ENROLLED in targets and not (money and not money["settled"]),
                    "can_withdraw": Status.WITHDRAWN in targets,
                    # A seat given or confirmed: where to go, when, and what to expect on the first day.
                    "day_one": application.status in AWAITING_START,
                    "attendance": (
                        hours.get(application.pk, attendance.Summary())
                        if application.status in ENTERED_TRAINING
                        else None
                    ),
                }
            )
    return render(
        request,
        "inscriptions/espace/index.html",
        {
            "learner": learner,
            "rows": rows,
            "online_payment": payments.online_payment_enabled(),
            "entry_questions_open": any(row["application"].status in AWAITING_START for row in rows),
            "entry_answers": EntryAnswers.of(learner) if learner is not None else None,
        },
    )


@login_required
@current_consent_required
def entry_answers(request):
    """ "Avant le début de la formation": the profile facts the campus and funders need, not asked to apply, then
    the funders' questions. Open only once the person has a place, until the training starts. Whoever answered may
    change or withdraw her answers at any time (RQTH is health data, given by consent); what was copied onto a
    training that has started stays as it was that day."""
    learner = learner_of(request.user)
    answers = EntryAnswers.of(learner) if learner is not None else None
    if learner is None or (answers is None and not own_applications(request.user).awaiting_start().exists()):
        messages.info(
            request,
            _(
                "Ces questions sont posées seulement quand vous avez une place dans une formation, "
                "avant qu’elle commence."
            ),
        )
        return redirect("inscriptions:espace")
    answers = answers or EntryAnswers(learner=learner)
    data = request.POST if request.method == "POST" else None
    profile_form = LearnerEntryProfileForm(data=data, instance=learner, user=request.user, prefix="profil")
    form = EntryAnswersForm(data=data, instance=answers)
    # Both checked, so that the error summary lists every mistake at once.
    if all([profile_form.is_valid(), form.is_valid()]):
        with transaction.atomic():
            save_profile(request, profile_form)
            form.save()
        messages.success(
            request,
            _("Merci, vos réponses sont enregistrées. Vous pouvez les changer jusqu’au début de la formation."),
        )
        return redirect("inscriptions:espace")
    return render(
        request,
        "inscriptions/espace/entry_answers.html",
        {"form": form, "profile_form": profile_form, "answers": answers},
    )


# --- Paying for a seat ---------------------------------------------------------------------------


def payment_info(application):
    """What the learner is told about the money for one application; None for a free session."""
    session = application.session
    if not session.is_paid:
        return None
    rows = list(application.payments.all())  # prefetched, newest first
    settled = next((payment for payment in rows if payment.status in payments.SETTLED), None)
    return {
        "amount": session.price_cents / 100,
        "deposit": session.fee_kind == FeeKind.DEPOSIT,
        "settled": settled,
        "paid_amount": settled.amount_cents / 100 if settled else None,
        "refunded_amount": settled.refunded_cents / 100 if settled else None,
        "refunds": [
            {
                "amount": refund.amount_cents / 100,
                "date": refund.created_at,
                "reason": refund.reason,
                "state": refund.state,
            }
            for refund in (settled.refunds.all() if settled else [])
        ],
        "hold_until": payments.hold_expires_at(application, rows)
        if application.status == Status.ADMITTED and settled is None and payments.online_payment_enabled()
        else None,
        "can_pay": application.status == Status.ADMITTED and settled is None,
    }


def payment_context(request, application):
    return {
        "application": application,
        "money": payment_info(application),
        "online_payment": payments.online_payment_enabled(),
        "next_step": NEXT_STEP.get(application.status, ""),
    }


@require_POST
@login_required
@current_consent_required
def pay(request, pk):
    application = get_object_or_404(own_applications(request.user), pk=pk)
    money = payment_info(application)
    if not money or not money["can_pay"]:
        messages.error(request, _("Il n’y a rien à payer pour cette candidature."))
        return redirect("inscriptions:espace")
    if not payments.online_payment_enabled():
        messages.info(request, UNAVAILABLE)
        return redirect("inscriptions:espace")
    try:
        # A failed call to Stripe leaves no pending payment behind.
        with transaction.atomic():
            checkout_url = payments.start_checkout(
                application,
                success_url=request.build_absolute_uri(reverse("inscriptions:paiement_merci", args=[pk])),
                cancel_url=request.build_absolute_uri(reverse("inscriptions:paiement_annule", args=[pk])),
            )
    except payments.PaymentUnavailable:
        messages.info(request, UNAVAILABLE)
    except services.Refused as refusal:
        messages.error(request, refusal.reason)
    except stripe.StripeError:
        logger.exception("Stripe Checkout could not start for application %s", pk)
        messages.error(request, _("Le paiement en ligne ne répond pas. Réessayez dans quelques minutes."))
    else:
        response = HttpResponseRedirect(checkout_url)
        response.status_code = 303
        return response
    return redirect("inscriptions:espace")


@never_cache
@login_required
@current_consent_required
def payment_done(request, pk):
    """Back from Stripe: the seat is confirmed by the bank's signed event, never by this page."""
    application = get_object_or_404(own_applications(request.user), pk=pk)
    return render(request, "inscriptions/espace/payment_done.html", payment_context(request, application))


@never_cache
@csp_update(CHECKOUT_FORM_ACTION)
@login_required
@current_consent_required
def payment_cancelled(request, pk):
    application = get_object_or_404(own_applications(request.user), pk=pk)
    return render(request, "inscriptions/espace/payment_cancelled.html", payment_context(request, application))


@login_required
@current_consent_required
def profile(request):
    learner = learner_of(request.user)
    form = LearnerProfileForm(
        data=request.POST if request.method == "POST" else None, instance=learner, user=request.user
    )
    if form.is_valid():
        save_profile(request, form)
        messages.success(request, _("Votre profil est enregistré."))
        next_url = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect("inscriptions:espace")
    return render(request, "inscriptions/espace/profile.html", {"form": form, "learner": learner})


@login_required
@current_consent_required
def application_action(request, pk, action):
    target = LEARNER_ACTIONS.get(action)
    if target is None:
        raise Http404
    application = get_object_or_404(own_applications(request.user), pk=pk)
    if target not in {edge.target for edge in services.allowed_transitions(application, Role.LEARNER)}:
        messages.error(request, _("Cette action n’est plus possible pour cette candidature."))
        return redirect("inscriptions:espace")
    if request.method == "POST":
        try:
            services.change_status(application, target, role=Role.LEARNER, actor=request.user)
        except services.Refused as refusal:
            messages.error(request, refusal.reason)
        else:
            if target == Status.ENROLLED:
                messages.success(request, _("C’est confirmé : vous êtes inscrit·e à cette formation."))
            else:
                messages.success(request, _("Votre candidature est retirée."))
        return redirect("inscriptions:espace")
    return render(
        request,
        "inscriptions/espace/confirm_action.html",
        {"application": application, "action": action, "withdraw": target == Status.WITHDRAWN},
    )


@require_POST
@login_required
@current_consent_required
def resend_guardian_request(request):
    learner = learner_of(request.user)
    if learner is None or not learner.guardian_email or not learner.needs_guardian_consent():
        messages.info(request, _("Aucun accord parental n’est attendu pour votre compte."))
    elif not notifications.guardian_emails_left_today(learner):
        messages.warning(
            request,
            _(
                "Vous avez déjà demandé cet accord %(count)d fois aujourd’hui. Réessayez demain, ou demandez au "
                "campus le formulaire papier."
            )
            % {"count": settings.GUARDIAN_CONSENT_EMAILS_PER_DAY},
        )
    elif cache.add(f"inscriptions:guardian-request:{learner.pk}", True, GUARDIAN_REMINDER_INTERVAL):
        notifications.ask_guardian_consent(learner.pk)
        messages.success(
            request,
            _("L’e-mail est reparti vers %(email)s. Dites-lui de regarder aussi dans les indésirables.")
            % {"email": learner.guardian_email},
        )
    else:
        messages.warning(
            request, _("Un e-mail est déjà parti il y a moins de 10 minutes. Attendez un peu avant de réessayer.")
        )
    return redirect("inscriptions:espace")


@never_cache
@login_required
def export_data(request):
    learner = learner_of(request.user)
    if learner is None:
        messages.info(request, _("Vous n’avez pas encore de profil : nous n’avons que votre adresse e-mail."))
        return redirect("inscriptions:espace")
    response = HttpResponse(services.learner_data_archive(learner), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="tremplin-mes-donnees.zip"'
    return response


@login_required
def delete_account(request):
    user = request.user
    if user.is_staff or user.is_superuser or user.groups.exists():
        return render(request, "inscriptions/espace/delete_staff.html", status=403)
    learner = learner_of(user)
    form = DeleteAccountForm(data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        if learner is not None:
            services.erase_learner(learner)
        else:
            user.delete()
        logout(request)
        return redirect("inscriptions:au_revoir")
    return render(request, "inscriptions/espace/delete.html", {"form": form, "learner": learner})


def goodbye(request):
    return render(request, "inscriptions/espace/goodbye.html")


# --- Parents and guardians ----------------------------------------------------------------------


@never_cache
def guardian_consent(request, token):
    link = GuardianConsentToken.objects.redeemable(token)
    if link is None:
        return render(request, "inscriptions/guardian_invalid.html", status=404)
    learner = link.learner
    context = {
        "learner": learner,
        "applications": learner.applications.active().select_related("session__formation", "campus"),
    }
    if link.used_at or learner.guardian_consent_at:
        return render(request, "inscriptions/guardian_done.html", {**context, "already": True})
    form = GuardianConsentForm(
        data=request.POST if request.method == "POST" else None, initial={"guardian_name": learner.guardian_name}
    )
    if form.is_valid():
        given = consent_through_link(link, guardian_name=form.cleaned_data["guardian_name"])
        learner.refresh_from_db()
        return render(request, "inscriptions/guardian_done.html", {**context, "already": not given})
    return render(request, "inscriptions/guardian_consent.html", {**context, "form": form})
