from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from campus.permissions import campuses_of
from formations.forms import formations_editable_by
from formations.models import Session


class FunderAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Who reads a funder's figures is the platform's decision, not one campus's: adding an account here
        # would show it the agreements of every campus this funder pays for.
        if "members" in self.fields and not (self.for_user and self.for_user.is_superuser):
            del self.fields["members"]


class AgreementAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["campuses"].queryset = campuses_of(user)
        self.fields["campuses"].widget = forms.CheckboxSelectMultiple(choices=self.fields["campuses"].choices)
        self.fields["formations"].queryset = formations_editable_by(user)
        self.fields["sessions"].queryset = (
            Session.objects.visible_to(user).select_related("formation").order_by("start_date")
        )

    def clean(self):
        cleaned = super().clean()
        campuses = list(cleaned.get("campuses") or [])
        formations = cleaned.get("formations") or []
        sessions = cleaned.get("sessions") or []
        if campuses:
            paths = [campus.path for campus in campuses]
            outside = [f.title for f in formations if not any(f.path.startswith(path) for path in paths)]
            if outside:
                self.add_error(
                    "formations",
                    _("Ces formations ne sont pas proposées par les campus choisis : %(titles)s.")
                    % {"titles": ", ".join(outside)},
                )
            campus_ids = {campus.pk for campus in campuses}
            formation_ids = {formation.pk for formation in formations}
            stray = [
                str(session)
                for session in sessions
                if session.campus_id not in campus_ids or (formation_ids and session.formation_id not in formation_ids)
            ]
            if stray:
                self.add_error(
                    "sessions",
                    _("Ces sessions ne relèvent pas des campus ou formations choisis : %(sessions)s.")
                    % {"sessions": ", ".join(stray)},
                )
        return cleaned
