"""Importing funding agreements with their targets; staff only for agreements covering their own campuses."""

import datetime
import decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from financeurs.enums import FunderKind, IndicatorCode
from financeurs.imports import AgreementImport
from financeurs.models import Agreement, Funder
from home.spreadsheets import read_table
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.factories import AgreementFactory, FunderFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.transferts.test_import_reading import csv_bytes, xlsx_bytes
from transferts.models import DataJob

HEADER = [
    "Référence",
    "Financeur",
    "Type de financeur",
    "Intitulé",
    "Début",
    "Fin",
    "Montant (€)",
    "Places financées",
    "Campus",
    "Formations",
    "Données nominatives",
    "objectif sorties_positives_6_mois",
    "Objectif part_femmes",
]


@pytest.fixture
def campus():
    return CampusPageFactory(title="Aubervilliers", slug="aubervilliers")


@pytest.fixture
def other_campus():
    return CampusPageFactory(title="Saint-Denis", slug="saint-denis")


@pytest.fixture
def staff(campus):
    return UserFactory(staff_of=campus)


def row(**overrides):
    values = {
        "reference": "REG-IDF-2026-014",
        "funder": "Région Île-de-France",
        "kind": "Région",
        "title": "Parcours numérique 2026",
        "start": "01/01/2026",
        "end": "31/12/2026",
        "amount": "120 000,00",
        "seats": "40",
        "campus": "Aubervilliers",
        "formations": "",
        "named": "non",
        "positive": "60",
        "women": "30 %",
    }
    values.update(overrides)
    return list(values.values())


def prepare(rows, user, data=None):
    return AgreementImport(user=user).prepare(read_table(data or csv_bytes(rows)))


def test_an_agreement_is_created_with_its_funder_campuses_and_targets(campus, other_campus):
    formation = FormationPageFactory(parent=other_campus, slug="developpeur-web")
    rows = [HEADER, row(campus="Aubervilliers | saint-denis", formations="developpeur-web", named="oui")]
    superuser = UserFactory(superuser=True)

    plan = prepare(rows, superuser)

    assert plan.errors == []
    assert plan.extra["new_funders"] == ["Région Île-de-France"]
    plan.write()
    agreement = Agreement.objects.get(reference="REG-IDF-2026-014")
    assert agreement.funder.kind == FunderKind.REGION
    assert agreement.amount == decimal.Decimal("120000.00")
    assert (agreement.start_date, agreement.end_date) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert agreement.requires_named_data is True
    assert set(agreement.campuses.all()) == {campus, other_campus}
    assert list(agreement.formations.all()) == [formation]
    assert dict(agreement.targets.values_list("indicator", "value")) == {
        IndicatorCode.POSITIVE_6_MONTHS: decimal.Decimal("60.00"),
        IndicatorCode.WOMEN: decimal.Decimal("30.00"),
    }


def test_an_existing_funder_is_reused(campus, staff):
    funder = FunderFactory(name="Région Île-de-France")

    prepare([HEADER, row(funder="région ile-de-france")], staff).write()

    assert Agreement.objects.get().funder == funder
    assert Funder.objects.count() == 1


def test_an_xlsx_with_typed_cells_is_imported(campus, staff):
    data = xlsx_bytes(
        [HEADER, [*row()[:4], datetime.datetime(2026, 1, 1), datetime.datetime(2026, 12, 31), 120000, 40, *row()[8:]]]
    )

    prepare(None, staff, data).write()

    assert Agreement.objects.get().seats_funded == 40


def test_importing_the_same_file_again_changes_nothing(campus, staff):
    rows = [HEADER, row(), row(reference="ETAT-93-2026-002", funder="Préfecture 93", kind="État", women="")]
    prepare(rows, staff).write()

    plan = prepare(rows, staff)

    assert plan.counts() == {"total": 2, "created": 0, "updated": 0, "unchanged": 2, "errors": 0}


def test_a_changed_target_updates_the_agreement(campus, staff):
    prepare([HEADER, row()], staff).write()

    plan = prepare([HEADER, row(women="", positive="65,5")], staff)

    assert plan.counts()["updated"] == 1
    plan.write()
    assert dict(Agreement.objects.get().targets.values_list("indicator", "value")) == {
        IndicatorCode.POSITIVE_6_MONTHS: decimal.Decimal("65.50")
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"campus": "Marseille"}, "Ligne 2, colonne « campus » : aucun campus « Marseille »."),
        ({"end": "31/12/2025"}, "Ligne 2, colonne « fin » : la fin de la période doit venir après son début."),
        ({"amount": "cent mille"}, "Ligne 2, colonne « montant (€) » : « cent mille » n'est pas un nombre."),
        ({"seats": "12,5"}, "Ligne 2, colonne « places financées » : « 12,5 » n'est pas un nombre entier positif."),
        ({"kind": "Banque"}, "Ligne 2, colonne « type de financeur » : « Banque » n'est pas une valeur possible"),
        (
            {"named": "peut-être"},
            "Ligne 2, colonne « données nominatives » : « peut-être » : écrivez « oui » ou « non ».",
        ),
        ({"women": "trente"}, "Ligne 2, colonne « objectif part_femmes » : « trente » n'est pas un nombre."),
        (
            {"formations": "Cuisine"},
            "Ligne 2, colonne « formations » : aucune formation « Cuisine » dans les campus de la convention.",
        ),
    ],
)
def test_bad_values_are_reported_and_nothing_is_written(campus, staff, overrides, message):
    plan = prepare([HEADER, row(**overrides)], staff)

    errors = [str(error) for error in plan.errors]
    assert len(errors) == 1
    assert errors[0].startswith(message)
    with pytest.raises(ValueError):
        plan.write()
    assert not Agreement.objects.exists()
    assert not Funder.objects.exists()


def test_staff_cannot_import_an_agreement_covering_another_campus(campus, other_campus, staff):
    plan = prepare([HEADER, row(campus="Aubervilliers|Saint-Denis")], staff)

    assert [str(error) for error in plan.errors] == [
        "Ligne 2, colonne « campus » : vous ne faites pas partie de l'équipe du campus « Saint-Denis »."
    ]


def test_sessions_outside_the_new_formations_are_dropped_and_the_others_kept(campus, staff):
    web = FormationPageFactory(parent=campus, slug="developpeur-web")
    cyber = FormationPageFactory(parent=campus, slug="cybersecurite")
    web_session, cyber_session = (
        SessionFactory(formation=web, campus=campus),
        SessionFactory(formation=cyber, campus=campus),
    )
    prepare([HEADER, row(formations="developpeur-web | cybersecurite")], staff).write()
    agreement = Agreement.objects.get()
    agreement.sessions.set([web_session, cyber_session])

    prepare([HEADER, row(formations="developpeur-web")], staff).write()

    assert list(agreement.sessions.all()) == [web_session]


def test_the_same_reference_twice_in_the_file_is_refused(campus, staff):
    plan = prepare([HEADER, row(), row(title="Autre")], staff)

    assert [str(error) for error in plan.errors] == [
        "Ligne 3, colonne « référence » : « REG-IDF-2026-014 » figure déjà ligne 2."
    ]


# --- What staff of another campus learn from an import: nothing of agreements that are not theirs -----------


NOT_YOURS = (
    "Ligne 2, colonne « référence » : vous ne pouvez pas utiliser la référence « REG-IDF-2026-014 » : vérifiez-la, "
    "ou demandez à un super-administrateur."
)


@pytest.fixture
def attacker(other_campus):
    """Saint-Denis's team, trying references that may belong to Aubervilliers."""
    return UserFactory(staff_of=other_campus)


def secret_agreement(campuses):
    return AgreementFactory(
        reference="REG-IDF-2026-014",
        funder=FunderFactory(name="Fondation Discrète"),
        title="Convention confidentielle d'Aubervilliers",
        start_date=datetime.date(2026, 3, 17),
        end_date=datetime.date(2027, 9, 23),
        amount=decimal.Decimal("987654.00"),
        seats_funded=7919,
        campuses=campuses,
        targets={"part_femmes": "43.21", "sorties_positives_6_mois": "67.89"},
    )


@pytest.mark.parametrize("covers", ["other campus", "both campuses", "no campus"])
def test_a_reference_not_theirs_reads_the_same_whoever_holds_it(campus, other_campus, attacker, covers):
    secret_agreement({"other campus": [campus], "both campuses": [campus, other_campus], "no campus": []}[covers])

    plan = prepare([HEADER, row(campus="Saint-Denis")], attacker)

    assert [str(error) for error in plan.errors] == [NOT_YOURS]


def test_an_import_page_shows_nothing_of_another_campus_agreement(client, campus, other_campus, attacker):
    secret_agreement([campus])
    upload = SimpleUploadedFile("conventions.csv", csv_bytes([HEADER, row(campus="Saint-Denis")]))
    client.force_login(attacker)

    client.post(reverse("imports:start"), {"kind": "conventions", "file": upload})
    job = DataJob.objects.get()
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()

    assert "vous ne pouvez pas utiliser la référence" in page
    secrets = [
        "Aubervilliers",
        "Fondation Discrète",
        "confidentielle",
        "17/03/2026",
        "23/09/2027",
        "987654",
        "987 654",
    ]
    for secret in [*secrets, "7919", "43.21", "43,21", "67.89", "67,89"]:
        assert secret not in page, secret
        assert secret not in str(job.summary) + str(job.errors), secret
