"""A learner's own data: the export for the right of access, and erasure."""

import datetime
import io
import json
import zipfile

from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import ModelLogEntry

from inscriptions.models import (
    ENTRY_FACTS,
    Application,
    FollowUp,
    FollowUpSurvey,
    Learner,
    Payment,
    Referral,
    Refund,
    StaffNote,
    StatusChange,
)
from inscriptions.services.transitions import withdraw
from inscriptions.workflow import ENTERED_TRAINING, INACTIVE, Role, Stage, Status, find_edge


def export_learner_data(learner):
    """Everything Tremplin holds about a learner, for the right of access (RGPD art. 15 and 20)."""
    user = learner.user
    profile_fields = [
        field
        for field in Learner._meta.concrete_fields
        # pseudonym_id, like id, is an internal key (funders' pseudonyms derive from it), not something said.
        if field.name not in {"id", "pseudonym_id", "user", "guardian_consent_recorded_by", "anonymised_at"}
    ]

    def value(obj, field):
        raw = getattr(obj, field.attname)
        if isinstance(raw, datetime.date | datetime.datetime):
            return raw.isoformat()
        if field.choices and raw:
            return {"code": raw, "libellé": str(getattr(obj, f"get_{field.name}_display")())}
        return raw

    def entry_facts(application):
        """The profile as it was when the training started, or None if it never started."""
        if application.entry_recorded_at is None:
            return None
        fields = [Application._meta.get_field(name) for name in ("entry_recorded_at", *ENTRY_FACTS)]
        return {str(field.verbose_name): value(application, field) for field in fields}

    applications = (
        learner.applications.select_related("session__formation", "campus")
        .prefetch_related("history", "notes", "follow_ups", "surveys", "payments__refunds")
        .order_by("submitted_at")
    )
    return {
        "export_fait_le": timezone.now().isoformat(),
        "compte": {
            "e-mail": user.email if user else "",
            "inscrit_le": user.date_joined.isoformat() if user else None,
            "dernière_connexion": user.last_login.isoformat() if user and user.last_login else None,
        },
        "profil": {str(field.verbose_name): value(learner, field) for field in profile_fields},
        "candidatures": [
            {
                "formation": application.session.formation.title,
                "campus": application.campus.title,
                "session": {
                    "début": application.session.start_date.isoformat(),
                    "fin": application.session.end_date.isoformat(),
                },
                "statut": str(Status(application.status).label),
                "étape_la_plus_avancée": str(Stage(application.furthest_stage).label),
                "à_l_entrée_en_formation": entry_facts(application),
                "envoyée_le": application.submitted_at.isoformat(),
                "motivation": application.motivation,
                "disponibilités": str(application.get_availability_display()),
                "contraintes": application.constraints,
                # The file itself is in the archive's cv/ folder (learner_data_archive).
                "cv_joint": bool(application.cv),
                "sortie_le": application.left_on.isoformat() if application.left_on else None,
                "historique": [
                    {
                        "le": change.created_at.isoformat(),
                        "de": str(Status(change.from_status).label) if change.from_status else None,
                        "vers": str(Status(change.to_status).label),
                        "par": str(Role(change.role).label),
                        "commentaire": change.comment,
                    }
                    for change in application.history.all()
                ],
                "notes_de_l_équipe": [
                    {"le": note.created_at.isoformat(), "note": note.text} for note in application.notes.all()
                ],
                "suivis": [
                    {
                        "moment": str(follow_up.get_milestone_display()),
                        "situation": str(follow_up.get_placement_display()),
                        "employeur": follow_up.employer,
                        "poste": follow_up.job_title,
                        "depuis": follow_up.start_date.isoformat() if follow_up.start_date else None,
                        "source": str(follow_up.get_source_display()),
                        "enregistré_le": follow_up.recorded_at.isoformat(),
                    }
                    for follow_up in application.follow_ups.all()
                ],
                "questionnaires_de_suivi": [
                    {
                        "moment": str(survey.get_milestone_display()),
                        "envoyé_le": survey.sent_at.isoformat(),
                        "relance_le": survey.reminded_at.isoformat() if survey.reminded_at else None,
                        "lien_valable_jusqu_au": survey.expires_at.isoformat(),
                        "réponse_reçue_le": survey.answered_at.isoformat() if survey.answered_at else None,
                    }
                    for survey in application.surveys.all()
                ],
                "paiements": [_payment(payment) for payment in application.payments.all()],
            }
            for application in applications
        ],
        "orientations_par_des_partenaires": [
            {
                "campus": referral.campus.title,
                "partenaire": str(referral.get_partner_kind_display()),
                "structure": referral.partner_name,
                "conseiller_ou_conseillère": referral.adviser,
                "prénom": referral.first_name,
                "nom": referral.last_name,
                "e-mail": referral.email,
                "téléphone": referral.phone,
                "date_de_naissance": referral.birth_date.isoformat() if referral.birth_date else None,
                "code_postal": referral.postcode,
                "formation_envisagée": referral.formation.title if referral.formation else None,
                "orienté·e_le": referral.referred_on.isoformat(),
                "importé_le": referral.created_at.isoformat(),
            }
            for referral in learner.referrals.select_related("campus", "formation").order_by("referred_on", "pk")
        ],
    }


def _payment(payment):
    return {
        "montant_en_euros": f"{payment.amount_cents / 100:.2f}",
        "nature": str(payment.get_fee_kind_display()),
        "moyen": str(payment.get_method_display()),
        "statut": str(payment.get_status_display()),
        "remboursé_en_euros": f"{payment.refunded_cents / 100:.2f}",
        "payé_le": payment.paid_at.isoformat() if payment.paid_at else None,
        "créé_le": payment.created_at.isoformat(),
        "paiement_stripe": payment.stripe_payment_intent_id or None,
        "remboursements": [
            {
                "montant_en_euros": f"{refund.amount_cents / 100:.2f}",
                "raison": refund.reason,
                "le": refund.created_at.isoformat(),
            }
            for refund in payment.refunds.all()
        ],
    }


def learner_data_archive(learner):
    """The right-of-access download: the data as JSON, and each CV the person sent, as a ZIP archive's bytes."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("mes-donnees.json", json.dumps(export_learner_data(learner), ensure_ascii=False, indent=2))
        for number, application in enumerate(learner.applications.exclude(cv="").order_by("submitted_at"), 1):
            with application.cv.open("rb") as cv:
                bundle.writestr(f"cv/candidature-{number}.pdf", cv.read())
    return archive.getvalue()


def erase_learner(learner, *, now=None):
    """Delete a learner's account: personal data erased, anonymous facts kept for the campus's counts.

    Open applications are withdrawn first, so their seats go to the waitlist; each keeps the furthest stage
    it reached. What stays: on the profile, gender, diploma, situation and how long the person had been
    looking for a job, RQTH, QPV residence (yes, no, unknown) and the kind of referrer; on each application,
    the age at application, the statuses and their dates, the furthest stage, and the facts recorded when
    the training started (the same, plus the answers to the European Social Fund's questions: nationality,
    a parent born abroad, housing exclusion, rural area); on each follow-up, the kind of placement, its ROME
    code and start date. What goes: names, contact details, birth date, address, texts written by the
    learner or about them, the CV, the employer's name and job title, the answers to the European Social
    Fund's questions on the profile, the consent to named data, and any open survey link; the partners'
    referrals about her (identity and contact details), refund reasons, the admin history's labels of her
    objects, and every open session of her account.
    """
    now = now or timezone.now()
    user = learner.user
    for application in learner.applications.exclude(status__in=INACTIVE | ENTERED_TRAINING):
        if find_edge(application.status, Status.WITHDRAWN):
            withdraw(application, role=Role.SYSTEM, comment=_("Compte supprimé par la personne."), now=now)
    email = user.email if user is not None else ""
    with transaction.atomic():
        _anonymise_referrals(learner, email)
        _redact_free_texts_about(learner)
        applications = learner.applications.all()
        for application in applications.exclude(cv=""):
            application.cv.delete(save=False)
        # Only the free text and the CV: the statuses, the furthest stage and the entry facts stay as they were.
        applications.update(motivation="", constraints="", cv="")
        StaffNote.objects.filter(application__learner=learner).delete()
        # The history's dates and statuses stay; only the free text, which may name the person, goes.
        models.QuerySet.update(StatusChange.objects.filter(application__learner=learner), comment="")
        FollowUp.objects.filter(application__learner=learner).update(employer="", job_title="")
        # The counts keep the surveys that were answered; a link still open must stop working.
        FollowUpSurvey.objects.filter(application__learner=learner, expires_at__gt=now).update(expires_at=now)
        learner.guardian_consent_tokens.all().delete()
        Learner.objects.filter(pk=learner.pk).update(
            user=None,
            first_name="",
            last_name="",
            phone="",
            birth_date=None,
            postcode="",
            commune="",
            qpv=None,
            referrer_detail="",
            guardian_name="",
            guardian_email="",
            nationality="",
            foreign_background="",
            housing_exclusion=False,
            rural_area=False,
            named_data_consent_at=None,
            anonymised_at=now,
        )
        if user is not None:
            _end_sessions(user.pk, email)
            user.delete()
    learner.refresh_from_db()
    return learner


def _anonymise_referrals(learner, email):
    """What partners sent about the person, at any campus: the referral stays as a count, with no one in it."""
    about_her = Q(learner=learner)
    if email:
        about_her |= Q(email__iexact=email)
    Referral.objects.filter(about_her).update(
        first_name="",
        last_name="",
        phone="",
        birth_date=None,
        postcode="",
        # Unique per campus and never anyone's: the referral's own number.
        email=Concat(Value("personne-effacee-"), Cast("pk", models.CharField()), Value("@anonyme.invalid")),
        learner=learner,
    )


def _redact_free_texts_about(learner):
    """Texts written about the person elsewhere than on her applications: refund reasons, and the labels the
    admin's history keeps of her application, profile, payments and refunds (they read "Awa Diallo – …")."""
    Refund.objects.filter(payment__application__learner=learner).update(reason="")
    objects = {
        Application: learner.applications.values_list("pk", flat=True),
        Learner: [learner.pk],
        Payment: Payment.objects.filter(application__learner=learner).values_list("pk", flat=True),
        Refund: Refund.objects.filter(payment__application__learner=learner).values_list("pk", flat=True),
        Referral: learner.referrals.values_list("pk", flat=True),
    }
    for model, pks in objects.items():
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks]
        ).update(label=_("Personne effacée"))


def _end_sessions(user_pk, email):
    """Every open session of the account, on any device: a session may hold the e-mail (a login code sent)."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if str(data.get("_auth_user_id")) == str(user_pk) or (email and email.lower() in str(data).lower()):
            session.delete()
