"""A learner's own data: the export for the right of access, and erasure."""

import datetime
import io
import json
import re
import unicodedata
import zipfile
from importlib import import_module

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import ModelLogEntry

from inscriptions.locking import retry_on_conflict
from inscriptions.models import (
    ANSWER_NAMES,
    ENTRY_FACTS,
    Application,
    EntryAnswers,
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
from transferts.jobs import job_table
from transferts.models import DataJob

# What a higher app erases when a learner is (the funders' named files): steps registered in its AppConfig.ready().
_erasure_steps = []


def register_erasure_step(step):
    """Run `step(learner)` inside erase_learner's transaction, before her profile is stripped (so the step can
    still tell which of its records are about her)."""
    if step not in _erasure_steps:
        _erasure_steps.append(step)
    return step


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

    def entry_answers(learner):
        """The answers to the funders' questions, asked after admission, or None if never answered."""
        answers = EntryAnswers.of(learner)
        if answers is None:
            return None
        fields = [EntryAnswers._meta.get_field(name) for name in (*ANSWER_NAMES, "answered_at")]
        return {str(field.verbose_name): value(answers, field) for field in fields}

    applications = (
        learner.applications.select_related("session__formation", "campus")
        .prefetch_related("history", "notes", "follow_ups", "surveys", "payments__refunds", "attendances")
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
        "réponses_pour_les_financeurs": entry_answers(learner),
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
                "formation_commencée_le": application.started_on.isoformat() if application.started_on else None,
                "sortie_le": application.left_on.isoformat() if application.left_on else None,
                "résultat_de_la_certification_le": (
                    application.certification_on.isoformat() if application.certification_on else None
                ),
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
                        "contrat_signé_le": follow_up.signed_on.isoformat() if follow_up.signed_on else None,
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
                "présences": [
                    {
                        "jour": mark.day.isoformat(),
                        "demi_journée": str(mark.get_part_display()),
                        "présence": str(mark.get_status_display()),
                        "heures": str(mark.hours),
                        "noté_le": mark.recorded_at.isoformat(),
                    }
                    for mark in application.attendances.all()
                ],
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
                "état": str(refund.get_state_display()),
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


@retry_on_conflict
def erase_learner(learner, *, now=None):
    """Delete a learner's account: personal data erased, anonymous facts kept for the campus's counts.

    Open applications are withdrawn first, so their seats go to the waitlist; each keeps the furthest stage it
    reached. What stays: on the profile, gender, diploma, situation and how long the person had been looking for a
    job, QPV residence (yes, no, unknown) and the kind of referrer; on each application, the age at application,
    the statuses and their dates, the furthest stage, and the facts recorded when the training started (the same,
    plus RQTH and the answers to the European Social Fund's questions: nationality, a parent born abroad, housing
    exclusion, rural area); on each follow-up, the kind of placement, its ROME code and start date; the attendance
    marks (a day, a half-day, present or not, hours), which name nobody once the profile is stripped and which the
    funders' hours attended and attendance rate read. What goes: names, contact details, birth date, address, texts
    written by the learner or about them, the CV, the employer's name and job title, the answers given for the
    funders (RQTH and the European Social Fund's questions), the consent to named data, and any open survey link;
    the partners' referrals about her (identity and contact details), refund reasons, the admin history's labels of
    her objects, and every open session of her account. Files made from her data go too: the funders' named exports
    covering her (registered erasure steps), and staff imports that name her (`_forget_imports_about`).
    """
    now = now or timezone.now()
    user = learner.user
    for application in learner.applications.exclude(status__in=INACTIVE | ENTERED_TRAINING):
        if find_edge(application.status, Status.WITHDRAWN):
            withdraw(application, role=Role.SYSTEM, comment=_("Compte supprimé par la personne."), now=now)
    email = user.email if user is not None else ""
    with transaction.atomic():
        for step in _erasure_steps:
            step(learner)
        _forget_imports_about(learner, email)
        _anonymise_referrals(learner, email)
        _redact_free_texts_about(learner)
        applications = learner.applications.all()
        for application in applications.exclude(cv=""):
            # Once the erasure commits: rolled back, the application would point to a missing file.
            name, storage = application.cv.name, application.cv.storage
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        # Only the free text and the CV: the statuses, the furthest stage and the entry facts stay as they were.
        applications.update(motivation="", constraints="", cv="")
        StaffNote.objects.filter(application__learner=learner).delete()
        # The history's dates and statuses stay; only the free text, which may name the person, goes.
        models.QuerySet.update(StatusChange.objects.filter(application__learner=learner), comment="")
        FollowUp.objects.filter(application__learner=learner).update(employer="", job_title="")
        # The counts keep the surveys that were answered; a link still open must stop working.
        FollowUpSurvey.objects.filter(application__learner=learner, expires_at__gt=now).update(expires_at=now)
        learner.guardian_consent_tokens.all().delete()
        EntryAnswers.objects.filter(learner=learner).delete()
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
    # Deleted through the session engine: with sessions cached in Redis, deleting the row alone would leave the copy
    # every server reads first.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if str(data.get("_auth_user_id")) == str(user_pk) or (email and email.lower() in str(data).lower()):
            store(session_key=session.session_key).delete()


REDACTED = "[effacé]"


def _folded(text):
    """Lower case, no accents, single spaces: "  Zéphyrine " and "zephyrine" are the same name."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join(text.split())


def _digits(text):
    digits = re.sub(r"\D", "", str(text))
    # A French number written 06…, +33 6… or 0033 6…: its last nine digits.
    return digits[-9:] if len(digits) >= 9 else ""


class _Identity:
    """How to recognise the person in an import file's rows and in the texts kept about an import: her e-mail,
    her phone number, or her first and last names together (one name alone is anyone's)."""

    def __init__(self, learner, email):
        referrals = list(
            Referral.objects.filter(Q(learner=learner) | Q(email__iexact=email) if email else Q(learner=learner))
        )
        self.emails = {_folded(address) for address in [email, *(referral.email for referral in referrals)] if address}
        self.phones = {_digits(phone) for phone in [learner.phone, *(r.phone for r in referrals)]} - {""}
        names = {(learner.first_name, learner.last_name), *((r.first_name, r.last_name) for r in referrals)}
        self.names = {(_folded(first), _folded(last)) for first, last in names if first and last}

    def in_row(self, cells):
        cells = [_folded(cell) for cell in cells if cell not in (None, "")]
        if self.emails.intersection(cells) or self.phones.intersection(_digits(cell) for cell in cells):
            return True
        words = set(" ".join(cells).split())
        return any(set(first.split()) <= words and set(last.split()) <= words for first, last in self.names)

    def in_text(self, text):
        return self.in_row(re.split(r"[\s«»:;,()]+", str(text)) + [str(text)])


def _redacted(value, identity, key=None):
    """`value` (a job's JSON) with every row and text naming the person replaced by REDACTED."""
    if isinstance(value, dict):
        return {name: _redacted(item, identity, name) for name, item in value.items()}
    if isinstance(value, list):
        # A row of a file (the preview's sample): redacted whole, as her birth date or postcode name her with it.
        if key == "cells" and identity.in_row(value):
            return [REDACTED if cell not in (None, "") else cell for cell in value]
        return [_redacted(item, identity) for item in value]
    if isinstance(value, str) and identity.in_text(value):
        return REDACTED
    return value


def _forget_imports_about(learner, email):
    """Staff imports keep what they read: the uploaded file until it is imported or abandoned, then a sample of
    rows and the errors on the job. An upload that names her is deleted with its job (the staff upload it again,
    she is no longer in it, or is again if the partner sends her anew); kept texts that name her are redacted."""
    identity = _Identity(learner, email)
    # A running import is left to finish: deleted under it, its task would save the job back.
    imports = DataJob.objects.filter(direction=DataJob.Direction.IMPORT).exclude(state=DataJob.State.RUNNING)
    for job in imports.order_by("pk").iterator():
        if job.source and _file_names(job, identity):
            job.delete()
            continue
        redacted = {field: _redacted(getattr(job, field), identity) for field in ("params", "summary", "errors")}
        if any(redacted[field] != getattr(job, field) for field in redacted):
            DataJob.objects.filter(pk=job.pk).update(**redacted)


def _file_names(job, identity):
    try:
        table = job_table(job)
    except Exception:
        # A file no one can read cannot be imported either: deleting it is the safe side.
        return True
    rows = [table.header, *(values for _line, values in table.rows)]
    return any(
        identity.in_row(
            [f"{cell:%d/%m/%Y}" if isinstance(cell, datetime.date) else "" if cell is None else cell for cell in row]
        )
        for row in rows
    )
