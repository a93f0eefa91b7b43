"""Forms of the staff's back office. Each one feeds a service, which holds the rules."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from formations.models import RomeCode
from home.dates import AdminFrenchDateInput, FrenchDateField
from home.money import EurosField
from inscriptions.enums import AttendanceStatus
from inscriptions.models import FollowUp, PaymentMethod, StaffNotificationSettings
from inscriptions.workflow import Status


class TransitionForm(forms.Form):
    # Any status may be posted: the service refuses, with its reason, what the pipeline does not allow.
    target = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def step_day_field(label):
    """The day a step happened: today unless staff change it, typed as 04/01/2027 (or picked)."""
    return FrenchDateField(
        label=label,
        initial=timezone.localdate,
        widget=AdminFrenchDateInput,
        help_text=_("Le jour où c’est arrivé, par exemple 04/01/2027. Aujourd’hui si vous ne changez rien."),
        error_messages={
            "required": _("Indiquez la date."),
            "invalid": _("Indiquez une date comme 04/01/2027 (jour/mois/année)."),
        },
    )


class StepForm(forms.Form):
    """A dated step of one application (workflow.DATED_STEPS), confirmed on its own screen."""

    on = step_day_field(_("Date"))
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Facultatif. Enregistré dans l’historique de la candidature."),
    )

    def __init__(self, *args, day_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if day_label:
            self.fields["on"].label = day_label


class BulkTransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Le même commentaire est enregistré dans l’historique de chaque candidature."),
    )

    def __init__(self, *args, comment_required=False, day_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if day_label:
            # A dated step: the same day for each application, asked first.
            self.fields = {"on": step_day_field(day_label), **self.fields}
        if comment_required:
            self.fields["comment"].required = True
            self.fields["comment"].help_text = _(
                "Obligatoire : la raison est transmise à chaque personne. "
                "Le même commentaire est enregistré dans l’historique de chaque candidature."
            )


class StaffNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Nouvelle note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible par l’équipe du campus seulement. La personne peut la lire si elle demande ses données."),
    )


class RomeCodeField(forms.ModelChoiceField):
    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().upper()
        return super().to_python(value)


class FollowUpForm(forms.ModelForm):
    rome = RomeCodeField(
        label=_("Métier (code ROME)"),
        queryset=RomeCode.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.TextInput(attrs={"size": 6, "maxlength": 5}),
        help_text=_("Facultatif. Par exemple M1805."),
        error_messages={"invalid_choice": _("Ce code ROME n’existe pas.")},
    )

    class Meta:
        model = FollowUp
        fields = ["milestone", "placement", "employer", "job_title", "rome", "start_date", "signed_on"]
        field_classes = {"start_date": FrenchDateField, "signed_on": FrenchDateField}
        widgets = {"start_date": AdminFrenchDateInput, "signed_on": AdminFrenchDateInput}


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = StaffNotificationSettings
        fields = ["new_application", "withdrawal", "overdue_digest", "follow_ups_digest"]


class ManualPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Moyen de paiement"),
        choices=[(method.value, method.label) for method in PaymentMethod if method != PaymentMethod.STRIPE],
    )
    amount_cents = EurosField(label=_("Montant reçu (€)"))
    # Made when the form is shown, sent back with it: the same form sent twice records one payment.
    key = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Ce formulaire est incomplet : rechargez la page, puis saisissez le paiement à nouveau."),
            "invalid": _("Ce formulaire est incomplet : rechargez la page, puis saisissez le paiement à nouveau."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = uuid.uuid4().hex


class RefundForm(forms.Form):
    amount_cents = EurosField(label=_("Montant à rembourser (€)"))
    reason = forms.CharField(
        label=_("Raison du remboursement"),
        max_length=300,
        help_text=_("Enregistrée dans l’historique de la candidature."),
    )


class AttendanceSheetForm(forms.Form):
    """One half-day's sheet: a radio group per person, nothing ticked meaning not recorded."""

    not_held = forms.BooleanField(
        label=_("Cette demi-journée n’a pas eu lieu (cours annulé pour tout le groupe)"), required=False
    )

    def __init__(self, *args, people, marks, not_held=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["not_held"].initial = not_held
        self.people = people
        for application in people:
            self.fields[self.field_name(application)] = forms.ChoiceField(
                label=str(application.learner),
                choices=AttendanceStatus.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=marks.get(application.pk, ""),
            )

    @staticmethod
    def field_name(application):
        return f"personne_{application.pk}"

    def person_fields(self):
        return [self[self.field_name(application)] for application in self.people]

    def marks(self):
        return {application.pk: self.cleaned_data.get(self.field_name(application)) for application in self.people}
