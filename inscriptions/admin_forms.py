"""Forms of the staff's back office. Each one feeds a service, which holds the rules."""

import decimal
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from formations.models import RomeCode
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
    return forms.DateField(
        label=label,
        initial=timezone.localdate,
        widget=AdminDateInput,
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
        widgets = {"start_date": AdminDateInput, "signed_on": AdminDateInput}


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = StaffNotificationSettings
        fields = ["new_application", "withdrawal", "overdue_digest", "follow_ups_digest"]


class EurosField(forms.CharField):
    """An amount typed in euros, "12,50" or "12.50", cleaned to a whole number of cents."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 10}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value / 100:.2f}".replace(".", ",")
        return value

    def clean(self, value):
        value = super().clean(value)
        text = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")
        try:
            amount = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise forms.ValidationError(_("Indiquez un montant en euros, par exemple 150 ou 150,50.")) from None
        if not amount.is_finite() or amount != amount.quantize(decimal.Decimal("0.01")):
            raise forms.ValidationError(
                _("Indiquez un montant en euros, avec au plus deux chiffres après la virgule.")
            )
        if amount <= 0:
            raise forms.ValidationError(_("Le montant doit être positif."))
        return int(amount * 100)


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
