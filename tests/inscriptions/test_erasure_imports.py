"""Erasing a learner reaches the staff's imports: an upload still waiting that names her is deleted, and what a
finished import keeps (its sample of rows, its errors) no longer names her. Other people's rows stay."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from inscriptions.services import erase_learner
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.inscriptions.factories import LearnerFactory
from tests.transferts.test_import_reading import csv_bytes
from transferts.jobs import preview_job
from transferts.models import DataJob

pytestmark = pytest.mark.django_db

HEADER = ["Nom", "Prénom", "E-mail", "Téléphone", "Date de naissance", "Code postal", "Structure"]
HEADER += ["Type de structure", "Conseiller·ère", "Formation envisagée", "Orienté·e le"]


def person(number):
    return [f"Nom{number}", f"Prénom{number}", f"personne{number}@exemple.fr", "", "01/01/2004", "93200"] + [
        "Mission Locale",
        "Mission Locale",
        "",
        "",
        "05/01/2026",
    ]


@pytest.fixture
def campus():
    return CampusPageFactory()


@pytest.fixture
def staff(campus):
    return UserFactory(staff_of=campus)


@pytest.fixture
def learner():
    return LearnerFactory(
        first_name="Zéphyrine", last_name="Quenouille", user__email="zq@courriel.example", phone="0698765432"
    )


def previewed(campus, staff, rows):
    job = DataJob.objects.create(
        direction=DataJob.Direction.IMPORT, kind="orientations", file_format="csv", requested_by=staff, campus=campus
    )
    job.source.save("orientations.csv", ContentFile(csv_bytes([HEADER, *rows])))
    preview_job(job)
    assert job.state == DataJob.State.PREVIEW, job.errors
    return job


def erase(learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erase_learner(learner)


@pytest.mark.parametrize(
    "her_row",
    [
        pytest.param(["QUENOUILLE", "zephyrine", "autre@exemple.fr", ""], id="by her names, any case or accents"),
        pytest.param(["Q.", "Z.", "ZQ@courriel.example", ""], id="by her e-mail"),
        pytest.param(["Q.", "Z.", "autre@exemple.fr", "+33 6 98 76 54 32"], id="by her phone"),
    ],
)
def test_an_upload_waiting_for_confirmation_that_names_her_anywhere_is_deleted_with_its_file(
    campus, staff, learner, her_row, django_capture_on_commit_callbacks
):
    # Past the ten rows the preview shows: the file itself is read.
    rows = [person(number) for number in range(12)]
    rows.append(her_row + ["01/01/2004", "93200", "Mission Locale", "Mission Locale", "", "", "05/01/2026"])
    naming_her, other = previewed(campus, staff, rows), previewed(campus, staff, rows[:-1])
    name = naming_her.source.name

    erase(learner, django_capture_on_commit_callbacks)

    assert list(DataJob.objects.all()) == [other]
    assert not storages["private"].exists(name)
    assert storages["private"].exists(other.source.name)


def test_a_finished_import_keeps_its_counts_and_other_rows_but_nothing_that_names_her(
    campus, staff, learner, django_capture_on_commit_callbacks
):
    her = ["Quenouille", "Zéphyrine", "zq@courriel.example", "06 98 76 54 32", "27/02/1999", "93200"]
    job = DataJob.objects.create(
        direction=DataJob.Direction.IMPORT,
        kind="orientations",
        file_format="csv",
        requested_by=staff,
        campus=campus,
        state=DataJob.State.DONE,
        summary={
            "total": 2,
            "created": 2,
            "header": HEADER[:6],
            "sample": [
                {"line": 2, "action": "à créer", "cells": her},
                {"line": 3, "action": "à créer", "cells": person(1)[:6]},
            ],
        },
        errors=[
            "Ligne 4 : « zq@courriel.example » est déjà orientée.",
            "Ligne 5 : « 32/13/2004 » n'est pas une date.",
        ],
    )

    erase(learner, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.summary == {
        "total": 2,
        "created": 2,
        "header": HEADER[:6],
        "sample": [
            {"line": 2, "action": "à créer", "cells": ["[effacé]"] * 6},
            {"line": 3, "action": "à créer", "cells": person(1)[:6]},
        ],
    }
    assert job.errors == ["[effacé]", "Ligne 5 : « 32/13/2004 » n'est pas une date."]


def test_someone_with_only_her_first_name_or_her_last_name_stays(
    campus, staff, learner, django_capture_on_commit_callbacks
):
    rows = [["Quenouille", "Paul", "paul@exemple.fr", "", "01/01/2004", "93200"], ["Martin", "Zéphyrine", "", ""]]
    sample = [{"line": line, "action": "à créer", "cells": cells} for line, cells in enumerate(rows, 2)]
    job = DataJob.objects.create(
        direction=DataJob.Direction.IMPORT,
        kind="orientations",
        file_format="csv",
        requested_by=staff,
        campus=campus,
        state=DataJob.State.DONE,
        summary={"sample": sample},
    )

    erase(learner, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.summary == {"sample": sample}
