"""The staff imports from the command line: same checks, same all-or-nothing."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from inscriptions.enums import FollowUpMilestone, Placement
from inscriptions.models import FollowUp
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory
from tests.transferts.test_import_reading import csv_bytes


@pytest.fixture
def application():
    return ApplicationFactory(
        session=SessionFactory(past=True),
        status=Status.COMPLETED,
        left_on=timezone.localdate() - datetime.timedelta(days=200),
    )


def write_file(tmp_path, rows):
    path = tmp_path / "suivis.csv"
    path.write_bytes(csv_bytes(rows, encoding="cp1252"))
    return path


def run(*args):
    stdout = io.StringIO()
    call_command("import_fichier", *args, stdout=stdout)
    return stdout.getvalue()


def test_follow_ups_are_imported_then_unchanged(tmp_path, application):
    staff = UserFactory(staff_of=application.campus)
    path = write_file(tmp_path, [["n° de candidature", "moment", "situation"], [str(application.pk), "6 mois", "CDI"]])
    args = ("suivis", path, "--campus", application.campus.slug, "--user", staff.username)

    assert run(*args, "--dry-run") == (
        "1 lignes : 1 créées, 0 modifiées, 0 inchangées (vérification seule, rien n'a été enregistré).\n"
    )
    assert not FollowUp.objects.exists()
    assert run(*args) == "1 lignes : 1 créées, 0 modifiées, 0 inchangées.\n"
    assert run(*args) == "1 lignes : 0 créées, 0 modifiées, 1 inchangées.\n"


def test_an_error_stops_the_import(tmp_path, application):
    staff = UserFactory(staff_of=application.campus)
    path = write_file(tmp_path, [["n° de candidature", "moment", "situation"], [str(application.pk), "9", "CDI"]])

    with pytest.raises(CommandError) as error:
        run("suivis", path, "--campus", application.campus.slug, "--user", staff.username)

    assert "Ligne 2, colonne « moment » : « 9 » n'est pas une valeur possible" in str(error.value)
    assert not FollowUp.objects.exists()


def test_staff_of_another_campus_cannot_import(tmp_path, application):
    outsider = UserFactory(staff_of=SessionFactory().campus)
    path = write_file(tmp_path, [["n° de candidature", "moment", "situation"], [str(application.pk), "0", "CDI"]])

    with pytest.raises(CommandError, match="Campus inconnu ou hors de l'équipe"):
        run("suivis", path, "--campus", application.campus.slug, "--user", outsider.username)


def test_a_line_that_would_change_a_staff_entry_is_kept_and_said(tmp_path, application):
    staff = UserFactory(staff_of=application.campus)
    FollowUpFactory(application=application, milestone=FollowUpMilestone.SIX_MONTHS, placement=Placement.ALTERNANCE)
    path = write_file(tmp_path, [["n° de candidature", "moment", "situation"], [str(application.pk), "6 mois", "CDI"]])

    output = run("suivis", path, "--campus", application.campus.slug, "--user", staff.username)

    assert output.startswith("1 lignes : 0 créées, 0 modifiées, 0 inchangées.\n")
    assert "1 lignes en conflit avec ce qui est enregistré" in output
    assert FollowUp.objects.get().placement == Placement.ALTERNANCE
