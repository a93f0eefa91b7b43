from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from campus.permissions import campuses_of
from formations.enums import Weekday
from formations.models import FormationPage
from home.money import EurosField


def formations_editable_by(user):
    """The formations whose sessions a user may manage: those under their campuses."""
    formations = FormationPage.objects.order_by("title")
    if user is None or not user.is_active:
        return formations.none()
    if user.is_superuser:
        return formations
    scope = Q()
    for path in campuses_of(user).values_list("path", flat=True):
        scope |= Q(path__startswith=path)
    return formations.filter(scope) if scope else formations.none()


class SessionAdminForm(WagtailAdminModelForm):
    # Typed in euros, kept in cents.
    price_cents = EurosField(
        label=_("Montant à payer (€)"),
        allow_zero=True,
        required=False,
        help_text=_("En euros : 0 ou vide si la session est gratuite. Ex. : 50 ou 49,90."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["formation"]
        field.queryset = formations_editable_by(self.for_user)
        field.widget = forms.Select(choices=field.choices)
        if "class_days" in self.fields:
            model_field = self.fields["class_days"]
            self.fields["class_days"] = forms.MultipleChoiceField(
                label=model_field.label,
                help_text=model_field.help_text,
                choices=Weekday.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            if not self.is_bound:
                self.initial["class_days"] = list(self.instance.class_days or "")

    def clean_class_days(self):
        # Stored as the ISO weekday digits, in order: "12345" for Monday to Friday.
        return "".join(sorted(self.cleaned_data.get("class_days") or []))
