"""Importing a partner's list of referred young people: one referral per campus and e-mail."""

import datetime

import pytest
from django.utils import timezone

from home.spreadsheets import read_table
from inscriptions.enums import Referrer
from inscriptions.imports import ReferralImport
from inscriptions.models import Referral
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory
from tests.transferts.test_import_reading import csv_bytes

HEADER = [
    "Nom",
    "Prénom",
    "E-mail",
    "Téléphone",
    "Date de naissance",
    "Code postal",
    "Structure",
    "Type de structure",
    "Conseiller·ère",
    "Formation envisagée",
    "Orienté·e le",
]


@pytest.fixture
def campus():
    return CampusPageFactory()


@pytest.fixture
def staff(campus):
    return UserFactory(staff_of=campus)


def prepare(rows, campus, staff, **kwargs):
    return ReferralImport(campus=campus, user=staff).prepare(read_table(csv_bytes(rows, **kwargs)))


def row(**overrides):
    values = {
        "nom": "Diallo",
        "prénom": "Awa",
        "e-mail": "Awa.Diallo@exemple.fr",
        "téléphone": "06 12 34 56 78",
        "naissance": "14/03/2005",
        "cp": "93200",
        "structure": "Mission Locale de Saint-Denis",
        "type": "Mission Locale",
        "conseiller": "Karim B.",
        "formation": "",
        "le": "03/11/2026",
    }
    values.update(overrides)
    return list(values.values())


def test_a_partner_list_in_windows_1252_creates_the_referrals(campus, staff):
    formation = FormationPageFactory(parent=campus, title="Développeur·se web")
    rows = [HEADER, row(formation="développeur·se WEB"), row(nom="Lefèvre", prénom="Zoé", **{"e-mail": "zoe@ex.fr"})]

    plan = prepare(rows, campus, staff, encoding="cp1252")

    assert plan.errors == []
    plan.write()
    awa = Referral.objects.get(email="awa.diallo@exemple.fr")
    assert (awa.campus, awa.partner_kind, awa.formation_id) == (campus, Referrer.MISSION_LOCALE, formation.pk)
    assert awa.birth_date == datetime.date(2005, 3, 14)
    assert awa.referred_on == datetime.date(2026, 11, 3)
    assert Referral.objects.get(email="zoe@ex.fr").last_name == "Lefèvre"


def test_optional_columns_may_be_left_out(campus, staff):
    rows = [["nom", "prénom", "e-mail", "structure"], ["Diallo", "Awa", "awa@ex.fr", "Association Rebond"]]

    prepare(rows, campus, staff).write()

    referral = Referral.objects.get()
    assert (referral.partner_kind, referral.referred_on) == (Referrer.MISSION_LOCALE, timezone.localdate())


def test_a_referral_is_linked_to_the_learner_with_that_email_who_applied_at_the_campus(campus, staff):
    learner = LearnerFactory(user__email="awa.diallo@exemple.fr")
    ApplicationFactory(learner=learner, session=SessionFactory(formation=FormationPageFactory(parent=campus)))

    prepare([HEADER, row()], campus, staff).write()

    assert Referral.objects.get().learner == learner


def test_an_import_reveals_nothing_of_an_account_that_never_applied_at_the_campus(campus, staff):
    learner = LearnerFactory(user__email="awa.diallo@exemple.fr")
    ApplicationFactory(learner=learner)  # at another campus

    plan = prepare([HEADER, row()], campus, staff)
    plan.write()

    assert Referral.objects.get().learner is None


def test_importing_the_same_list_again_changes_nothing(campus, staff):
    rows = [HEADER, row(), row(**{"e-mail": "zoe@ex.fr", "le": ""})]
    prepare(rows, campus, staff).write()

    plan = prepare(rows, campus, staff)

    assert plan.counts() == {"total": 2, "created": 0, "updated": 0, "unchanged": 2, "errors": 0}


def test_the_same_person_sent_to_another_campus_is_another_referral(campus, staff):
    other = CampusPageFactory()
    prepare([HEADER, row()], campus, staff).write()

    prepare([HEADER, row()], other, UserFactory(staff_of=other)).write()

    assert Referral.objects.count() == 2


def test_a_corrected_line_updates_the_referral(campus, staff):
    prepare([HEADER, row()], campus, staff).write()

    plan = prepare([HEADER, row(téléphone="07 00 00 00 00", type="France Travail")], campus, staff)

    assert plan.counts()["updated"] == 1
    plan.write()
    assert Referral.objects.get().partner_kind == Referrer.FRANCE_TRAVAIL


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"e-mail": "awa.diallo"}, "Ligne 2, colonne « e-mail » : « awa.diallo » n'est pas une adresse e-mail."),
        ({"cp": "9320A"}, "Ligne 2, colonne « code postal » : « 9320A » n'est pas un code postal (5 chiffres)."),
        ({"naissance": "14/13/2005"}, "Ligne 2, colonne « date de naissance » : « 14/13/2005 » n'est pas une date"),
        ({"type": "Cousin"}, "Ligne 2, colonne « type de structure » : « Cousin » n'est pas une valeur possible"),
        (
            {"formation": "Cuisine"},
            "Ligne 2, colonne « formation envisagée » : le campus n'a pas de formation « Cuisine ».",
        ),
        ({"nom": ""}, "Ligne 2, colonne « nom » : cette valeur est obligatoire."),
    ],
)
def test_bad_values_are_reported_and_nothing_is_written(campus, staff, overrides, message):
    plan = prepare([HEADER, row(), row(**{"e-mail": "zoe@ex.fr", **overrides})], campus, staff)

    errors = [str(error) for error in plan.errors]
    assert len(errors) == 1
    assert errors[0].replace("Ligne 3", "Ligne 2").startswith(message)
    with pytest.raises(ValueError):
        plan.write()
    assert not Referral.objects.exists()


def test_the_same_email_twice_in_the_file_is_refused(campus, staff):
    plan = prepare([HEADER, row(), row(**{"e-mail": "AWA.diallo@exemple.fr"})], campus, staff)

    assert [str(error) for error in plan.errors] == [
        "Ligne 3, colonne « e-mail » : « awa.diallo@exemple.fr » figure déjà ligne 2."
    ]


def test_a_formation_of_another_campus_is_not_found(campus, staff):
    FormationPageFactory(title="Cuisine")

    plan = prepare([HEADER, row(formation="Cuisine")], campus, staff)

    assert [str(error) for error in plan.errors] == [
        "Ligne 2, colonne « formation envisagée » : le campus n'a pas de formation « Cuisine »."
    ]


def test_a_person_another_campus_referred_reads_as_new_and_is_left_untouched(campus, staff):
    # Campus B's team imports an e-mail campus A already holds: nothing says so, nothing of A's line shows or moves.
    other = CampusPageFactory()
    prepare(
        [HEADER, row(nom="Secret", conseiller="Conseillère d'ailleurs")], other, UserFactory(staff_of=other)
    ).write()

    plan = prepare([HEADER, row()], campus, staff)

    assert plan.counts() == {"total": 1, "created": 1, "updated": 0, "unchanged": 0, "errors": 0}
    plan.write()
    assert Referral.objects.get(campus=other).last_name == "Secret"
