"""The form fields Wagtail gives every model edited in the admin, the way campus teams need them."""

from django.db import models
from wagtail.admin import widgets
from wagtail.admin.forms.models import register_form_field_override

from home.dates import AdminFrenchDateInput, AdminFrenchDateTimeInput, FrenchDateField


def register_admin_fields():
    # Dates: the picker that never replaces what was typed, and the French parsing ("4 janvier 2027" included).
    register_form_field_override(
        models.DateField, override={"form_class": FrenchDateField, "widget": AdminFrenchDateInput}
    )
    register_form_field_override(models.DateTimeField, override={"widget": AdminFrenchDateTimeInput})
    # A page's address in plain letters, as WAGTAIL_ALLOW_UNICODE_SLUGS = False makes the browser type it: the
    # server refuses "cybersécurité" typed by hand (Page.slug itself allows any letter).
    register_form_field_override(models.SlugField, override={"widget": widgets.SlugInput, "allow_unicode": False})
