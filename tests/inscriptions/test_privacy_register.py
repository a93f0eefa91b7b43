"""The register of processing (docs/privacy.md) names every field the code keeps about people, and nothing else."""

import re
from pathlib import Path

from django.apps import apps

REGISTER = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"
MODELS = [
    "Learner",
    "EntryAnswers",
    "Application",
    "StatusChange",
    "StaffNote",
    "FollowUp",
    "FollowUpSurvey",
    "Payment",
    "Refund",
    "StripeEvent",
    "Referral",
    "GuardianConsentToken",
    "Attendance",
]
# Technical fields: the row's own identifier and timestamps.
EXEMPT = {"id", "created_at", "updated_at"}


def model(name):
    try:
        return apps.get_model("inscriptions", name)
    except LookupError:
        return None


def fields_in_code():
    names = set()
    for name in MODELS:
        found = model(name)
        if found is not None:
            names |= {f"{name}.{field.name}" for field in found._meta.concrete_fields if field.name not in EXEMPT}
    return names


def fields_in_register():
    text = REGISTER.read_text(encoding="utf-8")
    pattern = r"`(" + "|".join(MODELS) + r")\.(\w+)`"
    return {f"{model_name}.{field}" for model_name, field in re.findall(pattern, text)}


def test_every_field_kept_about_people_has_its_line_in_the_register():
    missing = fields_in_code() - fields_in_register()

    assert missing == set(), "Ajoutez ces champs à docs/privacy.md (finalité, base légale, qui voit, durée, où)"


def test_the_register_names_no_field_the_code_does_not_have():
    documented_models = {name for name in MODELS if model(name) is not None}
    unknown = {name for name in fields_in_register() - fields_in_code() if name.split(".")[0] in documented_models}

    assert unknown == set(), "docs/privacy.md nomme des champs qui n’existent pas (ou plus)"


def test_the_check_reads_the_register_and_the_models():
    # A pattern that matched nothing would make both tests above pass on any register.
    assert {"Learner.first_name", "Application.cv", "Referral.email", "FollowUp.employer"} <= fields_in_register()
    assert {"Learner.first_name", "Payment.amount_cents"} <= fields_in_code()
