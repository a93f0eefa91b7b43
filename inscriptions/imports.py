"""Staff imports of the campus's own lists: placement follow-ups (survey results) and partners' referrals.

Every foreign key is looked up once for the whole file; see transferts/importers.py for how files are read and checked.
"""

import functools

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from formations.models import FormationPage, RomeCode
from home.reference_imports import BATCH_SIZE
from inscriptions.enums import FollowUpMilestone, FollowUpSource, Placement, Referrer
from inscriptions.follow_up_sources import RECORDED, follow_up_conflict
from inscriptions.models import (
    Application,
    FollowUp,
    Learner,
    Referral,
    add_months,
    due_on,
    follow_up_date_errors,
    follow_up_opens_on,
)
from inscriptions.workflow import LEFT_TRAINING
from transferts.importers import Column, Importer, RowError, in_slices
from transferts.parsers import (
    MAX_INTEGER,
    InvalidValue,
    as_text,
    choice,
    normalise,
    parse_date,
    parse_past_date,
    text,
)

IN_LIST_MAX = 500
EMAIL_MAX_LENGTH = Referral._meta.get_field("email").max_length


def parse_application_number(value):
    number = as_text(value).removeprefix("#").removeprefix("n°").strip()
    if not number.isdigit() or int(number) > MAX_INTEGER:
        raise InvalidValue(_("« %(value)s » n'est pas un numéro de candidature.") % {"value": as_text(value)})
    return int(number)


def parse_rome_code(value):
    code = as_text(value).upper()
    if len(code) != 5 or not code[0].isalpha() or not code[1:].isdigit():
        raise InvalidValue(_("« %(value)s » n'est pas un code ROME (il ressemble à M1805).") % {"value": code})
    return code


def parse_email(value):
    email = as_text(value).lower()
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(email)
        validate_email(email)
    except ValidationError as error:
        raise InvalidValue(_("« %(value)s » n'est pas une adresse e-mail.") % {"value": email}) from error
    return email


def parse_postcode(value):
    postcode = as_text(value)
    # A spreadsheet keeps 01000 as the number 1000.
    if postcode.isdigit() and len(postcode) == 4:
        postcode = "0" + postcode
    if not (postcode.isdigit() and len(postcode) == 5):
        raise InvalidValue(_("« %(value)s » n'est pas un code postal (5 chiffres).") % {"value": postcode})
    return postcode


def parse_birth_date(value):
    day = parse_past_date(value)
    if day.year < 1900:
        raise InvalidValue(_("« %(value)s » n'est pas une date de naissance plausible.") % {"value": as_text(value)})
    return day


# --- Placement follow-ups -----------------------------------------------------------------------


@functools.cache
def follow_up_attnames():
    return [field.attname for field in FollowUp._meta.concrete_fields]


def new_follow_up(pk, application_id, milestone, values, user, now, left_on=None):
    """An unsaved FollowUp built from positional values: Django's fast path, for files of thousands of lines.

    Given the application's exit date, it is due on the day it says; without it, FollowUp.objects.bulk_create
    looks the date up (the same day, one query for the whole file).
    """
    values = {
        **values,
        "id": pk,
        "application_id": application_id,
        "milestone": milestone,
        "due_on": due_on(left_on, milestone),
        "source": FollowUpSource.IMPORT,
        "recorded_by_id": user.pk if user else None,
        "recorded_at": now,
    }
    return FollowUp(*(values[name] for name in follow_up_attnames()))


class FollowUpImport(Importer):
    kind = "suivis"
    label = gettext_lazy("Suivis de sortie")
    noun = gettext_lazy("suivis")
    permission = "inscriptions.add_followup"
    help_text = gettext_lazy(
        "Ce que font les personnes à leur sortie, à 6 mois et à 12 mois, par exemple les réponses d'une enquête. "
        "Une ligne par personne et par moment ; une ligne déjà importée est mise à jour, pas dupliquée. "
        "Une ligne qui changerait un suivi saisi par l'équipe ou donné par la personne au questionnaire vous est "
        "montrée à part : ce qui est enregistré est gardé, sauf si vous choisissez le fichier."
    )
    columns = (
        Column(
            "n° de candidature",
            "application",
            parse_application_number,
            aliases=("numéro de candidature", "candidature"),
            help=gettext_lazy("Le numéro affiché sur la fiche de la candidature, par exemple 1234."),
        ),
        Column(
            "moment",
            "milestone",
            choice(FollowUpMilestone, aliases={"sortie": 0, "6 mois": 6, "12 mois": 12}),
            help=gettext_lazy("« sortie », « 6 mois » ou « 12 mois » (ou 0, 6, 12)."),
        ),
        Column(
            "situation",
            "placement",
            choice(Placement),
            help=gettext_lazy("Par exemple « CDI », « CDD de 6 mois ou plus », « Formation qualifiante »."),
        ),
        Column(
            "employeur ou organisme",
            "employer",
            text(200),
            required=False,
            default="",
            aliases=("employeur", "organisme"),
        ),
        Column(
            "intitulé du poste ou de la formation",
            "job_title",
            text(200),
            required=False,
            default="",
            aliases=("intitulé du poste", "poste"),
        ),
        Column(
            "depuis le",
            "start_date",
            parse_date,
            required=False,
            help=gettext_lazy(
                "Une date jj/mm/aaaa ; facultatif. Dans le futur seulement pour un contrat signé (avec « signé le »)."
            ),
        ),
        Column(
            "signé le",
            "signed_on",
            parse_date,
            required=False,
            aliases=("contrat signé le", "date de signature"),
            help=gettext_lazy(
                "Pour un contrat qui commence plus tard : la date de signature, jj/mm/aaaa ; facultatif."
            ),
        ),
        Column(
            "code ROME",
            "rome",
            parse_rome_code,
            required=False,
            aliases=("rome",),
            help=gettext_lazy("Le métier exercé, par exemple M1805 ; facultatif."),
        ),
    )
    compared = ("placement", "employer", "job_title", "rome_id", "start_date", "signed_on")
    rows_independent = True  # one follow-up per row, looked up by its own application

    def build(self, records, plan):
        errors = plan.errors
        records = self.check_duplicates(
            records,
            lambda record: (record["application"], record["milestone"]),
            "moment",
            errors,
            describe=lambda key: (
                _("%(milestone)s pour la candidature n° %(number)d")
                % {"milestone": FollowUpMilestone(key[1]).label, "number": key[0]}
            ),
        )
        numbers = {record["application"] for _line, record in records}
        applications, existing = self.lookup(numbers)
        rome_codes = dict(
            RomeCode.objects.filter(
                code__in={record["rome"] for _line, record in records if record["rome"]}
            ).values_list("code", "pk")
        )

        today = timezone.localdate()
        now = timezone.now()
        for line, record in records:
            number = record["application"]
            application = applications.get(number)
            # Another campus's application is reported as unknown: its number must reveal nothing.
            if application is None:
                errors.append(
                    RowError(
                        line,
                        "n° de candidature",
                        _("aucune candidature n° %(number)d dans ce campus.") % {"number": number},
                    )
                )
                continue
            status, left_on = application
            if status not in LEFT_TRAINING or left_on is None:
                errors.append(
                    RowError(
                        line,
                        "n° de candidature",
                        _("la candidature n° %(number)d n'est pas sortie de formation.") % {"number": number},
                    )
                )
                continue
            if follow_up_opens_on(add_months(left_on, record["milestone"])) > today:
                errors.append(
                    RowError(
                        line,
                        "moment",
                        _("la personne est sortie le %(left_on)s : ce suivi est trop tôt.")
                        % {"left_on": f"{left_on:%d/%m/%Y}"},
                    )
                )
                continue
            # The same rule as the staff's form: a future start only for a signed contract, nothing signed later.
            date_errors = follow_up_date_errors(record["placement"], record["start_date"], record["signed_on"], today)
            if date_errors:
                column = {"start_date": "depuis le", "signed_on": "signé le"}
                errors.extend(RowError(line, column[field], str(reason)) for field, reason in date_errors.items())
                continue
            rome_id = None
            if record["rome"]:
                rome_id = rome_codes.get(record["rome"])
                if rome_id is None:
                    errors.append(
                        RowError(
                            line, "code ROME", _("le code ROME « %(code)s » n'existe pas.") % {"code": record["rome"]}
                        )
                    )
                    continue
            values = {
                "placement": record["placement"],
                "employer": record["employer"],
                "job_title": record["job_title"],
                "rome_id": rome_id,
                "start_date": record["start_date"],
                "signed_on": record["signed_on"],
            }
            current = existing.get((number, record["milestone"]))
            if current is None:
                plan.to_create.append(
                    new_follow_up(None, number, record["milestone"], values, self.user, now, left_on)
                )
                plan.actions[line] = "create"
            elif all(current[name] == value for name, value in values.items()):
                plan.unchanged += 1
                plan.actions[line] = "unchanged"
            elif FollowUpSource(current["source"]).outranks(FollowUpSource.IMPORT):
                # A staff entry or the learner's own answer: replaced only if the staff chose the file's value.
                if self.settle_conflict(plan, follow_up_conflict(line, number, record, current, self.compared)):
                    plan.to_update.append(
                        new_follow_up(current["pk"], number, record["milestone"], values, self.user, now, left_on)
                    )
            else:
                plan.to_update.append(
                    new_follow_up(current["pk"], number, record["milestone"], values, self.user, now, left_on)
                )
                plan.actions[line] = "update"

    def lookup(self, numbers):
        """({number: (status, left_on)} of the campus's applications among `numbers`, {(number, milestone):
        recorded follow-up values}), in two queries whatever the length of the file.

        A long file is looked up by range of numbers: an IN list of thousands of keys costs more to build than
        the few extra rows of the campus it brings back.
        """
        # A person who deleted their account keeps only anonymous counts: no employer comes back to them.
        applications = Application.objects.filter(campus=self.campus, learner__anonymised_at__isnull=True)
        follow_ups = FollowUp.objects.filter(application__campus=self.campus)
        if transaction.get_connection().in_atomic_block:
            # Writing: a staff entry saved while the file is written waits, and comes after it.
            follow_ups = follow_ups.select_for_update(of=("self",))
        if len(numbers) <= IN_LIST_MAX:
            applications = applications.filter(pk__in=numbers)
            follow_ups = follow_ups.filter(application_id__in=numbers)
        elif numbers:
            bounds = (min(numbers), max(numbers))
            applications = applications.filter(pk__range=bounds)
            follow_ups = follow_ups.filter(application__gte=bounds[0], application__lte=bounds[1])
        found = {
            pk: (status, left_on)
            for pk, status, left_on in applications.values_list("pk", "status", "left_on")
            if pk in numbers
        }
        recorded = {
            (values["application_id"], values["milestone"]): values
            for values in follow_ups.values("pk", "application_id", "milestone", *self.compared, *RECORDED)
            if values["application_id"] in found
        }
        return found, recorded

    def write(self, plan):
        FollowUp.objects.bulk_create(plan.to_create, batch_size=BATCH_SIZE)
        self.progress(len(plan.to_create))
        FollowUp.objects.bulk_update(
            plan.to_update,
            [*(name.removesuffix("_id") for name in self.compared), "source", "recorded_by", "recorded_at"],
            batch_size=BATCH_SIZE,
        )


# --- Referrals from partners --------------------------------------------------------------------


class ReferralImport(Importer):
    kind = "orientations"
    label = gettext_lazy("Orientations par des partenaires")
    noun = gettext_lazy("orientations")
    permission = "inscriptions.add_referral"
    help_text = gettext_lazy(
        "Les jeunes qu'une Mission Locale, France Travail ou une association envoie au campus. "
        "Une personne est reconnue à son e-mail : la réimporter met sa ligne à jour."
    )
    columns = (
        Column("nom", "last_name", text(100)),
        Column("prénom", "first_name", text(100)),
        Column("e-mail", "email", parse_email, aliases=("email", "courriel", "adresse e-mail")),
        Column("téléphone", "phone", text(20), required=False, default="", aliases=("tel",)),
        Column(
            "date de naissance",
            "birth_date",
            parse_birth_date,
            required=False,
            help=gettext_lazy("jj/mm/aaaa ; facultatif."),
        ),
        Column("code postal", "postcode", parse_postcode, required=False, default="", aliases=("cp",)),
        Column(
            "structure",
            "partner_name",
            text(200),
            aliases=("partenaire",),
            help=gettext_lazy("Le nom du partenaire, par exemple « Mission Locale de Saint-Denis »."),
        ),
        Column(
            "type de structure",
            "partner_kind",
            choice(Referrer, aliases={"mission locale": Referrer.MISSION_LOCALE, "association": Referrer.ASSOCIATION}),
            required=False,
            default=Referrer.MISSION_LOCALE,
            aliases=("type de partenaire",),
            help=gettext_lazy("« Mission Locale », « France Travail », « association » ; Mission Locale si vide."),
        ),
        Column(
            "conseiller·ère",
            "adviser",
            text(200),
            required=False,
            default="",
            aliases=("conseiller", "conseillere", "conseiller ou conseillère", "conseiller(ère)"),
        ),
        Column(
            "formation envisagée",
            "formation",
            as_text,
            required=False,
            default="",
            aliases=("formation",),
            help=gettext_lazy("Le titre d'une formation du campus ; facultatif."),
        ),
        Column(
            "orienté·e le",
            "referred_on",
            parse_past_date,
            required=False,
            aliases=("orienté le", "orientée le", "date d'orientation"),
            help=gettext_lazy("jj/mm/aaaa ; aujourd'hui si vide."),
        ),
    )
    compared = (
        "partner_kind",
        "partner_name",
        "adviser",
        "first_name",
        "last_name",
        "phone",
        "birth_date",
        "postcode",
        "formation_id",
        "referred_on",
        "learner_id",
    )
    rows_independent = True  # one referral per row, looked up by its own e-mail

    def build(self, records, plan):
        errors = plan.errors
        records = self.check_duplicates(records, lambda record: record["email"], "e-mail", errors)
        emails = [record["email"] for _line, record in records]
        existing, learners = {}, {}
        for emails_slice in in_slices(emails):
            existing.update(
                (referral.email_lower, referral)
                for referral in Referral.objects.filter(campus=self.campus)
                .annotate(email_lower=Lower("email"))
                .filter(email_lower__in=emails_slice)
            )
            # Only people who applied at this campus: linking anyone else would tell the campus that an e-mail has
            # an account, and whose it is.
            learners.update(
                Learner.objects.active()
                .filter(Exists(Application.objects.filter(learner=OuterRef("pk"), session__campus=self.campus)))
                .annotate(email_lower=Lower("user__email"))
                .filter(email_lower__in=emails_slice)
                .values_list("email_lower", "pk")
            )
        formations = {}
        for pk, title, slug in FormationPage.objects.child_of(self.campus).values_list("pk", "title", "slug"):
            formations.setdefault(normalise(title), pk)
            formations.setdefault(normalise(slug), pk)

        today = timezone.localdate()
        for line, record in records:
            formation_id = None
            if record["formation"]:
                formation_id = formations.get(normalise(record["formation"]))
                if formation_id is None:
                    errors.append(
                        RowError(
                            line,
                            "formation envisagée",
                            _("le campus n'a pas de formation « %(title)s ».") % {"title": record["formation"]},
                        )
                    )
                    continue
            values = {
                "partner_kind": record["partner_kind"],
                "partner_name": record["partner_name"],
                "adviser": record["adviser"],
                "first_name": record["first_name"],
                "last_name": record["last_name"],
                "phone": record["phone"],
                "birth_date": record["birth_date"],
                "postcode": record["postcode"],
                "formation_id": formation_id,
                "referred_on": record["referred_on"] or today,
            }
            current = existing.get(record["email"])
            # A learner linked by hand (or earlier) stays linked.
            values["learner_id"] = learners.get(record["email"]) or (current.learner_id if current else None)
            if current is None:
                plan.to_create.append(Referral(campus=self.campus, email=record["email"], **values))
                plan.actions[line] = "create"
                continue
            if record["referred_on"] is None:
                # No date in the file: the one first recorded stays.
                values["referred_on"] = current.referred_on
            self.compare(current, values, plan, line)

    @staticmethod
    def compare(current, values, plan, line):
        if any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            plan.to_update.append(current)
            plan.actions[line] = "update"
        else:
            plan.unchanged += 1
            plan.actions[line] = "unchanged"

    def write(self, plan):
        Referral.objects.bulk_create(plan.to_create, batch_size=BATCH_SIZE)
        fields = [name.removesuffix("_id") for name in self.compared]
        Referral.objects.bulk_update(plan.to_update, fields, batch_size=BATCH_SIZE)
