"""Forms of the public site: the learner's profile, the application, the follow-up survey, the confirmations."""

import datetime
import uuid

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from campus.models import Qpv
from home.glossary import explained
from inscriptions.enums import (
    Availability,
    Diploma,
    Gender,
    JobSeekingDuration,
    Nationality,
    Placement,
    QpvResidence,
    Referrer,
    Situation,
    YesNoUnsaid,
)
from inscriptions.models import ANSWER_NAMES, Application, EntryAnswers, Learner, age_on
from inscriptions.validators import validate_pdf

# A date typed by hand on a phone whose browser has no date picker.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y"]


def departments_for_postcode(postcode):
    """The departments a French postcode belongs to: '93300' → ['93'], '97110' → ['971'], Corsica → both."""
    postcode = (postcode or "").strip()
    if len(postcode) != 5 or not postcode.isdigit():
        return []
    if postcode.startswith("97"):
        return [postcode[:3]]
    if postcode.startswith("20"):
        return ["2A", "2B"]
    return [postcode[:2]]


def own_addresses(user):
    """Every address of an account: its login and any other it added, in lower case."""
    from allauth.account.models import EmailAddress

    addresses = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    return {address.lower() for address in addresses | {user.email} if address}


class QpvChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.communes})"


# What the campus needs to decide on an application: asked before applying.
APPLY_PROFILE_FIELDS = [
    "first_name",
    "last_name",
    "phone",
    "birth_date",
    "diploma",
    "situation",
    "guardian_name",
    "guardian_email",
]
# What the campus and the funders need once the person has a place: asked before the training starts, by the
# learner ("Avant le début de la formation") or by staff with her. Blank until then, recorded as unknown at entry.
ENTRY_PROFILE_FIELDS = [
    "gender",
    "postcode",
    "commune",
    "qpv_residence",
    "qpv",
    "job_seeking_duration",
    "referrer",
    "referrer_detail",
]


class LearnerProfileForm(forms.ModelForm):
    """The whole profile, as the learner edits it in her space. Model.clean() has the rules.

    The forms below show part of it: a field they leave out is neither shown, checked nor changed.
    """

    consent = forms.BooleanField(required=True)
    named_data_consent = forms.BooleanField(
        required=False,
        label=_(
            "J’accepte que mon nom soit transmis aux financeurs de ma formation, avec mon e-mail, ma date de "
            "naissance, et après la formation mon employeur et mon poste, s’ils demandent la liste des "
            "participant·es."
        ),
        help_text=_(
            "Facultatif. Sans votre accord, ils ne reçoivent qu’un numéro à la place de votre nom. "
            "Vous pouvez changer d’avis à tout moment."
        ),
    )

    class Meta:
        model = Learner
        fields = [
            "first_name",
            "last_name",
            "phone",
            "birth_date",
            "gender",
            "postcode",
            "commune",
            "qpv_residence",
            "qpv",
            "diploma",
            "situation",
            "job_seeking_duration",
            "referrer",
            "referrer_detail",
            "guardian_name",
            "guardian_email",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
            "birth_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "autocomplete": "bday"}),
            "gender": forms.RadioSelect,
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "commune": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "qpv_residence": forms.RadioSelect,
            "diploma": forms.RadioSelect,
            "situation": forms.RadioSelect,
            "job_seeking_duration": forms.RadioSelect,
            "referrer": forms.RadioSelect,
            "guardian_email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        field_classes = {"qpv": QpvChoiceField}
        help_texts = {
            "first_name": _("Comme sur vos papiers ou comme on vous appelle : c’est vous qui choisissez."),
            "commune": _("Facultatif. La ville où vous habitez."),
            "postcode": _("Facultatif. 5 chiffres, par exemple 93300."),
            "referrer_detail": _("Facultatif. Par exemple : Mission Locale de Saint-Denis, Mme Martin."),
            "guardian_name": _("Seulement si vous avez moins de 18 ans."),
            "guardian_email": _(
                "Seulement si vous avez moins de 18 ans. Nous lui écrivons pour lui demander son accord."
            ),
        }

    def __init__(self, *args, campus=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else self.instance.user
        fields = self.fields
        if "first_name" in fields:
            fields["first_name"].widget.attrs["autocomplete"] = "given-name"
            fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        if "birth_date" in fields:
            fields["birth_date"].input_formats = DATE_INPUT_FORMATS
            fields["birth_date"].required = True
            fields["birth_date"].help_text = _(
                "Par exemple 24/05/2008. Les formations sont ouvertes à partir de 16 ans. "
                "Avant 18 ans, un parent ou tuteur doit donner son accord."
            )
        # Required radios: no empty choice, nothing checked until the person chooses.
        for name, choices, message in (
            ("diploma", Diploma.choices, _("Choisissez votre plus haut diplôme (ou « aucun »).")),
            ("situation", Situation.choices, _("Choisissez la phrase qui décrit votre situation aujourd’hui.")),
        ):
            if name in fields:
                fields[name].choices = choices
                fields[name].error_messages["required"] = message
        if "qpv_residence" in fields:
            fields["qpv_residence"].choices = QpvResidence.choices
            fields["qpv_residence"].required = False  # not answered: "I don't know"
            fields["qpv_residence"].help_text = explained(fields["qpv_residence"].help_text, "qpv")
        if "gender" in fields:
            fields["gender"].choices = [("", _("Je préfère ne pas répondre")), *Gender.choices]
        if "referrer" in fields:
            fields["referrer"].choices = [("", _("Je préfère ne pas répondre")), *Referrer.choices]
        if "job_seeking_duration" in fields:
            fields["job_seeking_duration"].choices = [
                ("", _("Sans objet : je ne cherche pas d’emploi")),
                *JobSeekingDuration.choices,
            ]
            fields["job_seeking_duration"].help_text = _(
                "Seulement si vous cherchez un emploi. Sinon, laissez « Sans objet »."
            )
        if "named_data_consent" in fields:
            fields["named_data_consent"].initial = self.instance.named_data_consent_at is not None
        if "qpv" in fields:
            fields["qpv"].empty_label = _("Je ne sais pas, ou mon quartier n’est pas dans la liste")
            fields["qpv"].queryset = self._qpv_choices(campus)
            fields["qpv"].help_text = _(
                "Facultatif. La liste montre les quartiers prioritaires de votre département. "
                "Si vous ne savez pas, laissez le premier choix : le campus vérifiera avec vous."
            )
        if "consent" in fields and self.instance.pk and self.instance.has_consented:
            del fields["consent"]
        elif "consent" in fields:
            fields["consent"].label = format_html(
                '{} <a href="{}">{}</a> {}',
                _("J’ai lu la"),
                reverse("inscriptions:confidentialite"),
                _("notice de confidentialité"),
                _("et je l’accepte."),
            )
            fields["consent"].error_messages["required"] = _(
                "Pour postuler, cochez la case : elle dit que vous acceptez l’usage de vos données."
            )

    def clean_guardian_email(self):
        email = self.cleaned_data["guardian_email"].strip()
        # The minor's own addresses are refused out loud: she knows them. Another account's address is taken, but
        # never written to (see notifications.send_guardian_request), so this form never tells whether a stranger's
        # address has an account.
        if email and self.user is not None and email.lower() in own_addresses(self.user):
            raise forms.ValidationError(
                _("Donnez l’adresse d’un parent ou d’un tuteur, pas la vôtre : c’est à lui ou elle que nous écrivons.")
            )
        return email

    def clean_qpv_residence(self):
        return self.cleaned_data["qpv_residence"] or QpvResidence.UNKNOWN

    def _update_errors(self, errors):
        # Model.clean() checks the whole profile; a form showing part of it reports what it shows, and its rules
        # for the rest are checked by the form that asks it.
        if hasattr(errors, "error_dict"):
            shown = {
                field: messages
                for field, messages in errors.error_dict.items()
                if field in self.fields or field == NON_FIELD_ERRORS
            }
            if not shown:
                return
            errors = ValidationError(shown)
        super()._update_errors(errors)

    def save(self, commit=True):
        # The date of the first "yes" is what a funder may ask for; saving the profile again keeps it.
        if "named_data_consent" in self.fields:
            if not self.cleaned_data.get("named_data_consent"):
                self.instance.named_data_consent_at = None
            elif self.instance.named_data_consent_at is None:
                self.instance.named_data_consent_at = timezone.now()
        return super().save(commit)

    def _qpv_choices(self, campus):
        """A short list for a phone: the QPVs of the department of the postcode (typed, saved, or the campus's)."""
        postcode = self.data.get(self.add_prefix("postcode")) if self.is_bound else None
        departments = (
            departments_for_postcode(postcode)
            or departments_for_postcode(self.instance.postcode)
            or departments_for_postcode(getattr(campus, "postcode", ""))
        )
        queryset = Qpv.objects.order_by("name")
        if not departments:
            return queryset
        selected = str(self.data.get(self.add_prefix("qpv")) if self.is_bound else self.instance.qpv_id or "")
        # A choice made from another department's list stays valid when the postcode changes.
        return queryset.filter(department__in=departments) | queryset.filter(
            pk__in=[selected] if selected.isdigit() else []
        )


class ApplicantProfileForm(LearnerProfileForm):
    """The profile step of applying: only what the campus needs to decide (identity, contact, age, a guardian for
    a minor, diploma, situation), and the privacy consent the first time. Short words: two phone screens at most."""

    named_data_consent = None
    # The same answers as the profile's, in fewer words.
    SHORT_CHOICES = {
        "diploma": [
            (Diploma.NONE, _("Aucun")),
            (Diploma.BREVET, _("Brevet")),
            (Diploma.CAP_BEP, _("CAP ou BEP")),
            (Diploma.BAC, _("Bac")),
            (Diploma.BAC_2, _("Bac + 2")),
            (Diploma.BAC_3_PLUS, _("Bac + 3 ou +")),
        ],
        "situation": [
            (Situation.JOB_SEEKER_REGISTERED, _("Je cherche un emploi, inscrit·e à France Travail")),
            (Situation.JOB_SEEKER_UNREGISTERED, _("Je cherche un emploi, pas inscrit·e")),
            (Situation.STUDENT, _("Je suis élève ou étudiant·e")),
            (Situation.EMPLOYED, _("J’ai un emploi")),
            (Situation.INACTIVE, _("Ni emploi, ni études, ni recherche")),
        ],
    }

    class Meta(LearnerProfileForm.Meta):
        fields = APPLY_PROFILE_FIELDS
        labels = {"phone": _("Tél. (facultatif)")}
        help_texts = {"phone": ""}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in self.SHORT_CHOICES.items():
            self.fields[name].choices = choices
        self.fields["diploma"].help_text = ""
        self.fields["birth_date"].help_text = ""
        self.fields["guardian_name"].help_text = ""
        self.fields["guardian_email"].help_text = ""

    def clean(self):
        data = super().clean()
        # The job-seeking duration is asked later; a situation that is no longer job seeking has none.
        if data.get("situation") and data["situation"] not in Situation.job_seeking():
            self.instance.job_seeking_duration = ""
        return data

    @property
    def asks_guardian(self):
        """Whether the guardian's questions start open: a minor (by the birth date known), or already answered."""
        if any(self[name].errors or self[name].value() for name in ("guardian_name", "guardian_email")):
            return True
        birth_date = getattr(self, "cleaned_data", {}).get("birth_date") or self.instance.birth_date
        age = age_on(birth_date, timezone.localdate())
        return age is not None and age < 18


class EntryProfileForm(LearnerProfileForm):
    """The profile facts asked before the training starts, filled by staff with the person: never her consent,
    never the funders' special questions (EntryAnswers)."""

    consent = None
    named_data_consent = None

    class Meta(LearnerProfileForm.Meta):
        fields = ENTRY_PROFILE_FIELDS

    def clean(self):
        data = super().clean()
        # Asked here while the situation was asked before: the duration only for a job seeker.
        if data.get("job_seeking_duration") and self.instance.situation not in Situation.job_seeking():
            self.add_error(
                "job_seeking_duration", _("Cette durée ne concerne que les personnes qui cherchent un emploi.")
            )
        return data


class LearnerEntryProfileForm(EntryProfileForm):
    """The same facts, asked to the learner in her space, with her choice about the funders' named lists."""

    named_data_consent = LearnerProfileForm.declared_fields["named_data_consent"]

    class Meta(EntryProfileForm.Meta):
        fields = ENTRY_PROFILE_FIELDS


class EntryAnswersForm(forms.ModelForm):
    """The funders' questions, asked once the person has a place: each one optional, each one explained."""

    UNSAID = ("", _("Je préfère ne pas répondre"))
    # Posted as "True"/"False", the way the field renders a saved answer, so that the saved choice shows checked.
    YES_NO = [UNSAID, ("True", _("Oui")), ("False", _("Non"))]

    class Meta:
        model = EntryAnswers
        fields = list(ANSWER_NAMES)
        help_texts = {
            "rqth": _(
                "La reconnaissance de la qualité de travailleur handicapé. Demandé pour les statistiques des "
                "financeurs. Si la formation doit être adaptée pour vous, parlez-en au référent handicap du "
                "campus : il peut organiser les aménagements."
            ),
            "nationality": _("Demandé par le Fonds social européen, seulement pour des statistiques."),
            "foreign_background": _("Demandé par le Fonds social européen, seulement pour des statistiques."),
            "housing_exclusion": _(
                "Par exemple : hébergement d’urgence, chez des proches faute de mieux. Demandé par le Fonds social "
                "européen, seulement pour des statistiques. Si vous avez besoin d’aide pour vous loger, dites-le "
                "au campus."
            ),
            "rural_area": _("Demandé par le Fonds social européen, seulement pour des statistiques."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("rqth", "housing_exclusion", "rural_area"):
            self.fields[name] = forms.NullBooleanField(
                label=self.fields[name].label,
                help_text=self.fields[name].help_text,
                required=False,
                widget=forms.RadioSelect(choices=self.YES_NO),
            )
        self.fields["rqth"].help_text = explained(self.fields["rqth"].help_text, "rqth")
        self.fields["nationality"].widget = forms.RadioSelect()
        self.fields["nationality"].choices = [self.UNSAID, *Nationality.choices]
        self.fields["foreign_background"].widget = forms.RadioSelect()
        self.fields["foreign_background"].choices = [
            self.UNSAID,
            (YesNoUnsaid.YES, _("Oui, au moins l’un des deux")),
            (YesNoUnsaid.NO, _("Non, aucun des deux")),
        ]

    def save(self, commit=True):
        self.instance.answered_at = timezone.now()
        return super().save(commit)


class ApplicationForm(forms.ModelForm):
    """What the learner writes for one session. Validated here; services.submit_application creates it."""

    # A new key each time the form is shown (see Application.submission_key); an old page without one still works.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)

    class Meta:
        model = Application
        # Constraints are no longer a question of their own: the motivation invites to say them (12 fields or
        # fewer for a person to apply).
        fields = ["motivation", "availability", "cv"]
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 4}),
            "availability": forms.RadioSelect,
            "cv": forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
        }
        help_texts = {
            "motivation": _(
                "Quelques phrases suffisent : pourquoi cette formation, ce que vous aimeriez faire ensuite, et "
                "vos contraintes s’il y en a (garde d’enfants, emploi, trajet)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A required radio with nothing checked until the person chooses.
        availability = self.fields["availability"]
        availability.choices = Availability.choices
        availability.initial = None
        if self.instance.pk is None:
            self.initial.pop("availability", None)  # the model's default would check a choice for her
        availability.error_messages["required"] = _("Dites si vous êtes disponible sur toute la durée de la session.")

    def clean_cv(self):
        cv = self.cleaned_data.get("cv")
        if cv:
            validate_pdf(cv)
        return cv


class GuardianConsentForm(forms.Form):
    guardian_name = forms.CharField(
        label=_("Votre nom et prénom"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    agree = forms.BooleanField(
        label=_("Je donne mon accord pour que cette personne suive la formation."),
        error_messages={"required": _("Cochez la case pour donner votre accord.")},
    )


class DeleteAccountForm(forms.Form):
    understood = forms.BooleanField(
        label=_("Je comprends que la suppression est définitive."),
        error_messages={"required": _("Cochez la case pour confirmer la suppression.")},
    )


# --- Follow-up survey ---------------------------------------------------------------------------

# What a learner reads for each placement: their own words, not the staff's categories.
SURVEY_PLACEMENT_CHOICES = [
    (Placement.CDI, _("J’ai un emploi en CDI")),
    (Placement.CDD_LONG, _("J’ai un emploi en CDD de 6 mois ou plus")),
    (Placement.CDD_SHORT, _("J’ai un emploi en CDD de moins de 6 mois")),
    (Placement.INTERIM, _("Je travaille en intérim")),
    (Placement.ALTERNANCE, _("Je suis en alternance ou en apprentissage")),
    (Placement.TRAINING, _("Je suis en formation, pour un diplôme ou un titre professionnel")),
    (Placement.INTERNSHIP, _("Je suis en stage")),
    (Placement.BUSINESS, _("J’ai créé mon entreprise ou je suis auto-entrepreneur·e")),
    (Placement.JOB_SEEKING, _("Je cherche un emploi")),
    (Placement.UNKNOWN, _("Autre chose, ou je préfère ne pas le dire")),
]
MONTHS = [
    _("janvier"),
    _("février"),
    _("mars"),
    _("avril"),
    _("mai"),
    _("juin"),
    _("juillet"),
    _("août"),
    _("septembre"),
    _("octobre"),
    _("novembre"),
    _("décembre"),
]
# No employer or school to name for these.
NO_EMPLOYER = {Placement.JOB_SEEKING, Placement.UNKNOWN}


class FollowUpSurveyForm(forms.Form):
    """The three questions: what, since when (month and year, two plain selects), where."""

    placement = forms.ChoiceField(
        label=_("Que faites-vous aujourd’hui ?"),
        choices=SURVEY_PLACEMENT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez la phrase qui vous correspond le mieux.")},
    )
    since_month = forms.TypedChoiceField(label=_("Mois"), coerce=int, required=False)
    since_year = forms.TypedChoiceField(label=_("Année"), coerce=int, required=False)
    employer = forms.CharField(
        label=_("Chez quel employeur, ou dans quel organisme de formation ?"),
        max_length=200,
        required=False,
        help_text=_(
            "Le nom de l’entreprise, de l’école ou de votre propre entreprise. Facultatif si vous cherchez un emploi."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def __init__(self, *args, left_on, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placement"].help_text = format_html(
            '{} <a href="{}">{}</a>',
            _("CDI, CDD, intérim, alternance : un mot n’est pas clair ?"),
            reverse("glossary"),
            _("Les mots de l’emploi, expliqués"),
        )
        self.today = today or timezone.localdate()
        self.fields["since_month"].choices = [("", "—"), *((number, name) for number, name in enumerate(MONTHS, 1))]
        # A job may start before the end of the training, job seeking long before; a later year is never right.
        # No exit date when the team moved the person back into training after the survey left.
        first_year = min((left_on or self.today).year - 2, self.today.year)
        self.fields["since_year"].choices = [
            ("", "—"),
            *((year, year) for year in range(self.today.year, first_year - 1, -1)),
        ]

    def clean(self):
        data = super().clean()
        placement, month, year = data.get("placement"), data.get("since_month"), data.get("since_year")
        if placement and placement != Placement.UNKNOWN and not (month and year):
            self.add_error("since_month", _("Indiquez le mois et l’année où cette situation a commencé."))
        elif (month and not year) or (year and not month):
            self.add_error("since_month", _("Indiquez le mois et l’année, ou aucun des deux."))
        elif month and year and (year, month) > (self.today.year, self.today.month):
            self.add_error("since_month", _("Cette date est dans le futur : indiquez quand cela a commencé."))
        if placement and placement not in NO_EMPLOYER and not data.get("employer", "").strip():
            self.add_error("employer", _("Indiquez le nom de l’employeur, de l’organisme ou de votre entreprise."))
        return data

    @property
    def start_date(self):
        month, year = self.cleaned_data.get("since_month"), self.cleaned_data.get("since_year")
        return datetime.date(year, month, 1) if month and year else None
