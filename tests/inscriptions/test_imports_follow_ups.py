"""Importing placement follow-ups (survey results): every line checked first, then all written, or nothing."""

import datetime

import pytest
from django.utils import timezone

from home.spreadsheets import read_table
from inscriptions.enums import FollowUpMilestone, FollowUpSource, Placement
from inscriptions.imports import FollowUpImport
from inscriptions.models import Application, FollowUp, add_months, follow_up_opens_on
from inscriptions.models.follow_ups import FOLLOW_UP_EARLIEST_DAYS
from inscriptions.services import Refused, record_follow_up
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import RomeCodeFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory
from tests.transferts.test_import_reading import csv_bytes, xlsx_bytes

HEADER = [
    "N° de candidature",
    "Moment",
    "Situation",
    "Employeur ou organisme",
    "Intitulé du poste ou de la formation",
    "Depuis le",
    "Code ROME",
]


def left_training(session, months_ago=13, status=Status.COMPLETED):
    left_on = timezone.localdate() - datetime.timedelta(days=31 * months_ago)
    return ApplicationFactory(session=session, status=status, left_on=left_on)


@pytest.fixture
def session():
    return SessionFactory(past=True)


@pytest.fixture
def campus(session):
    return session.campus


@pytest.fixture
def staff(campus):
    return UserFactory(staff_of=campus)


@pytest.fixture
def applications(session):
    return [left_training(session), left_training(session, status=Status.CERTIFIED)]


def prepare(data, campus, staff, filename="suivis.csv"):
    return FollowUpImport(campus=campus, user=staff).prepare(read_table(data, filename))


def good_rows(applications):
    first, second = applications
    return [
        HEADER,
        [str(first.pk), "sortie", "Stage", "Mairie de Saint-Denis", "Agent d'accueil", "02/03/2026", ""],
        [str(first.pk), "6 mois", "CDI", "Société Générale", "Technicienne support", "01/09/2026", "M1805"],
        [str(second.pk), "12", "formation qualifiante", "AFPA", "Développeur web", "", ""],
    ]


def errors_of(plan):
    return [str(error) for error in plan.errors]


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8", ";"), ("utf-8-sig", ","), ("cp1252", ";"), ("cp1252", ",")]
)
def test_a_good_csv_creates_every_follow_up(campus, staff, applications, encoding, delimiter):
    RomeCodeFactory(code="M1805")
    plan = prepare(csv_bytes(good_rows(applications), encoding=encoding, delimiter=delimiter), campus, staff)

    assert plan.errors == []
    assert plan.counts() == {"total": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}
    plan.write()

    first, second = applications
    six_months = FollowUp.objects.get(application=first, milestone=FollowUpMilestone.SIX_MONTHS)
    assert six_months.placement == Placement.CDI
    assert six_months.employer == "Société Générale"
    assert six_months.rome.code == "M1805"
    assert six_months.start_date == datetime.date(2026, 9, 1)
    assert six_months.source == FollowUpSource.IMPORT
    assert six_months.recorded_by == staff
    assert second.follow_ups.get().placement == Placement.TRAINING


def test_an_xlsx_with_number_and_date_cells_is_imported(campus, staff, applications):
    first, _second = applications
    data = xlsx_bytes([HEADER, [first.pk, 6, "CDI", "Orange", "Technicien", datetime.datetime(2026, 9, 1), None]])

    plan = prepare(data, campus, staff, "suivis.xlsx")

    assert plan.errors == []
    plan.write()
    assert first.follow_ups.get().start_date == datetime.date(2026, 9, 1)


def test_importing_the_same_file_again_changes_nothing(campus, staff, applications):
    RomeCodeFactory(code="M1805")
    data = csv_bytes(good_rows(applications))
    prepare(data, campus, staff).write()
    before = list(FollowUp.objects.values())

    plan = prepare(data, campus, staff)

    assert plan.counts() == {"total": 3, "created": 0, "updated": 0, "unchanged": 3, "errors": 0}
    plan.write()
    assert list(FollowUp.objects.values()) == before


def test_a_changed_line_updates_a_follow_up_imported_before_in_place(campus, staff, applications):
    first, _second = applications
    recorded = FollowUpFactory(
        application=first,
        milestone=FollowUpMilestone.EXIT,
        placement=Placement.JOB_SEEKING,
        source=FollowUpSource.IMPORT,
    )
    rows = [HEADER, [str(first.pk), "À la sortie", "CDD de 6 mois ou plus", "La Poste", "Facteur", "", ""]]

    plan = prepare(csv_bytes(rows), campus, staff)

    assert plan.counts()["updated"] == 1
    plan.write()
    recorded.refresh_from_db()
    assert (recorded.placement, recorded.employer, recorded.source) == (
        Placement.CDD_LONG,
        "La Poste",
        FollowUpSource.IMPORT,
    )
    assert FollowUp.objects.count() == 1


# --- A follow-up recorded by the staff or the learner's answer outranks a file -------------------------


@pytest.fixture
def recorded_by_staff(applications):
    """The 6-month follow-up of the first application, recorded by a named colleague three days ago."""
    colleague = UserFactory(first_name="Marie", last_name="Dupont")
    return FollowUpFactory(
        application=applications[0],
        milestone=FollowUpMilestone.SIX_MONTHS,
        placement=Placement.ALTERNANCE,
        employer="Orange",
        job_title="Technicienne réseau",
        recorded_by=colleague,
        recorded_at=timezone.now() - datetime.timedelta(days=3),
    )


def six_month_row(application, placement="CDI", employer="La Poste"):
    return [str(application.pk), "6 mois", placement, employer, "Factrice", "", ""]


def test_a_line_that_would_change_a_staff_entry_is_a_conflict_and_keeps_it_by_default(
    campus, staff, applications, recorded_by_staff
):
    plan = prepare(csv_bytes([HEADER, six_month_row(applications[0])]), campus, staff)

    assert plan.errors == []
    assert plan.counts() == {"total": 1, "created": 0, "updated": 0, "unchanged": 0, "errors": 0}
    assert plan.conflict_counts() == {"conflicts": 1, "replaced": 0, "kept": 1}
    (conflict,) = plan.conflicts
    recorded_on = timezone.localdate() - datetime.timedelta(days=3)
    assert (conflict.line, conflict.subject, conflict.recorded, conflict.recorded_by, conflict.incoming) == (
        2,
        f"n° {applications[0].pk} – À 6 mois",
        "Alternance ou apprentissage · Orange · Technicienne réseau",
        f"Saisi par l’équipe (Marie Dupont), le {recorded_on:%d/%m/%Y}",
        "CDI · La Poste · Factrice",
    )
    assert plan.actions == {2: "conflict"}
    plan.write()
    kept = FollowUp.objects.get()
    assert (kept.placement, kept.employer, kept.source, kept.recorded_by) == (
        Placement.ALTERNANCE,
        "Orange",
        FollowUpSource.STAFF,
        recorded_by_staff.recorded_by,
    )


def test_a_line_that_would_change_a_survey_answer_is_a_conflict_too(campus, staff, applications):
    FollowUpFactory(
        application=applications[0],
        milestone=FollowUpMilestone.SIX_MONTHS,
        placement=Placement.JOB_SEEKING,
        employer="",
        job_title="",
        source=FollowUpSource.SURVEY,
    )

    plan = prepare(csv_bytes([HEADER, six_month_row(applications[0])]), campus, staff)

    (conflict,) = plan.conflicts
    assert conflict.recorded == "En recherche d’emploi"
    assert conflict.recorded_by.startswith("Réponse au questionnaire, le ")
    plan.write()
    assert FollowUp.objects.get().source == FollowUpSource.SURVEY


def test_a_line_that_says_what_the_staff_recorded_is_unchanged_not_a_conflict(
    campus, staff, applications, recorded_by_staff
):
    row = [str(applications[0].pk), "6 mois", "alternance", "Orange", "Technicienne réseau", "", ""]

    plan = prepare(csv_bytes([HEADER, row]), campus, staff)

    assert plan.conflicts == []
    assert plan.counts()["unchanged"] == 1


def test_the_staffs_explicit_choice_replaces_the_recorded_follow_up(campus, staff, applications, recorded_by_staff):
    data = csv_bytes([HEADER, six_month_row(applications[0]), six_month_row(applications[1])])
    # The second application has no 6-month follow-up yet, and is far enough from its exit.
    (conflict,) = prepare(data, campus, staff).conflicts

    plan = FollowUpImport(campus=campus, user=staff, replace={conflict.key}).prepare(read_table(data, "suivis.csv"))

    assert plan.counts()["updated"] == 1 and plan.counts()["created"] == 1
    assert plan.conflict_counts() == {"conflicts": 1, "replaced": 1, "kept": 0}
    assert plan.actions[2] == "replace"
    plan.write()
    replaced = FollowUp.objects.get(pk=recorded_by_staff.pk)
    assert (replaced.placement, replaced.employer, replaced.source, replaced.recorded_by) == (
        Placement.CDI,
        "La Poste",
        FollowUpSource.IMPORT,
        staff,
    )


def test_a_choice_made_on_a_value_changed_since_does_not_replace_the_new_value(
    campus, staff, applications, recorded_by_staff
):
    data = csv_bytes([HEADER, six_month_row(applications[0])])
    (conflict,) = prepare(data, campus, staff).conflicts
    # A colleague corrects the follow-up between the preview and the confirmation.
    FollowUp.objects.filter(pk=recorded_by_staff.pk).update(placement=Placement.CDI, employer="SNCF")

    plan = FollowUpImport(campus=campus, user=staff, replace={conflict.key}).prepare(read_table(data, "suivis.csv"))

    assert plan.conflict_counts() == {"conflicts": 1, "replaced": 0, "kept": 1}
    plan.write()
    assert FollowUp.objects.get().employer == "SNCF"


def bad_file_errors(campus, staff, rows):
    plan = prepare(csv_bytes(rows), campus, staff)
    with pytest.raises(ValueError):
        plan.write()
    assert FollowUp.objects.count() == 0
    return errors_of(plan)


def test_a_missing_column_is_named(campus, staff, applications):
    rows = [HEADER[:1] + HEADER[3:], [str(applications[0].pk), "", "", "", ""]]

    assert bad_file_errors(campus, staff, rows) == ["Colonnes manquantes : « moment », « situation »."]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({5: "31/02/2026"}, "Ligne 2, colonne « depuis le » : « 31/02/2026 » n'est pas une date (jj/mm/aaaa)."),
        ({1: "3 mois"}, "Ligne 2, colonne « moment » : « 3 mois » n'est pas une valeur possible"),
        ({2: "Chômage"}, "Ligne 2, colonne « situation » : « Chômage » n'est pas une valeur possible"),
        ({2: ""}, "Ligne 2, colonne « situation » : cette valeur est obligatoire."),
        ({0: "abc"}, "Ligne 2, colonne « n° de candidature » : « abc » n'est pas un numéro de candidature."),
        ({0: "999999"}, "Ligne 2, colonne « n° de candidature » : aucune candidature n° 999999 dans ce campus."),
        ({6: "Z99"}, "Ligne 2, colonne « code ROME » : « Z99 » n'est pas un code ROME (il ressemble à M1805)."),
        ({6: "M9999"}, "Ligne 2, colonne « code ROME » : le code ROME « M9999 » n'existe pas."),
        ({3: "x" * 201}, "Ligne 2, colonne « employeur ou organisme » : le texte fait 201 caractères, 200 au plus."),
    ],
)
def test_each_bad_value_is_reported_with_its_line_and_column(campus, staff, applications, cells, message):
    row = [str(applications[0].pk), "sortie", "CDI", "", "", "", ""]
    for index, value in cells.items():
        row[index] = value

    errors = bad_file_errors(campus, staff, [HEADER, row])

    assert len(errors) == 1
    assert errors[0].startswith(message)


def test_a_start_date_in_the_future_is_refused_unless_a_signed_contract(campus, staff, applications):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    internship = [str(applications[0].pk), "sortie", "Stage", "", "", f"{tomorrow:%d/%m/%Y}", ""]
    unsigned_cdi = [str(applications[1].pk), "sortie", "CDI", "", "", f"{tomorrow:%d/%m/%Y}", ""]

    assert bad_file_errors(campus, staff, [HEADER, internship, unsigned_cdi]) == [
        "Ligne 2, colonne « depuis le » : "
        "La date de début ne peut pas être dans le futur, sauf pour un contrat signé.",
        "Ligne 3, colonne « signé le » : Le contrat commence plus tard : indiquez la date de signature.",
    ]


def test_an_application_of_another_campus_is_refused_as_unknown(campus, staff, applications):
    elsewhere = left_training(SessionFactory(past=True))
    row = [str(elsewhere.pk), "sortie", "CDI", "", "", "", ""]

    assert bad_file_errors(campus, staff, [HEADER, row]) == [
        f"Ligne 2, colonne « n° de candidature » : aucune candidature n° {elsewhere.pk} dans ce campus."
    ]


def test_the_application_of_someone_who_deleted_their_account_is_refused_as_unknown(campus, staff, applications):
    erased = applications[0]
    erased.learner.anonymised_at = timezone.now()
    erased.learner.save()
    row = [str(erased.pk), "sortie", "CDI", "Atelier Numérique", "Développeuse", "", ""]

    assert bad_file_errors(campus, staff, [HEADER, row]) == [
        f"Ligne 2, colonne « n° de candidature » : aucune candidature n° {erased.pk} dans ce campus."
    ]


def test_an_application_still_in_training_is_refused(campus, staff, session):
    in_training = ApplicationFactory(session=session, status=Status.IN_TRAINING)
    row = [str(in_training.pk), "sortie", "CDI", "", "", "", ""]

    assert bad_file_errors(campus, staff, [HEADER, row]) == [
        f"Ligne 2, colonne « n° de candidature » : la candidature n° {in_training.pk} n'est pas sortie de formation."
    ]


def test_a_follow_up_long_before_it_is_due_is_refused(campus, staff, session):
    recent = left_training(session, months_ago=1)
    row = [str(recent.pk), "12 mois", "CDI", "", "", "", ""]

    errors = bad_file_errors(campus, staff, [HEADER, row])

    assert errors == [
        f"Ligne 2, colonne « moment » : la personne est sortie le {recent.left_on:%d/%m/%Y} : ce suivi est trop tôt."
    ]


def test_a_line_repeated_in_the_file_is_refused(campus, staff, applications):
    row = [str(applications[0].pk), "6 mois", "CDI", "", "", "", ""]

    assert bad_file_errors(campus, staff, [HEADER, row, row, row]) == [
        f"Ligne 3, colonne « moment » : « À 6 mois pour la candidature n° {applications[0].pk} » figure déjà ligne 2.",
        f"Ligne 4, colonne « moment » : « À 6 mois pour la candidature n° {applications[0].pk} » figure déjà ligne 2.",
    ]


def test_one_bad_line_among_good_ones_writes_nothing(campus, staff, applications):
    rows = good_rows(applications)
    rows[2][2] = "Chômage"

    errors = bad_file_errors(campus, staff, rows)

    assert len(errors) == 1
    assert errors[0].startswith("Ligne 3, colonne « situation »")


def test_every_error_of_the_file_is_listed_in_line_order(campus, staff, applications):
    rows = [HEADER, *([str(applications[0].pk), "sortie", "?", "", "", "32/01/2026", ""] for _ in range(3))]

    errors = bad_file_errors(campus, staff, rows)

    assert [error.split(",")[0] for error in errors] == ["Ligne 2"] * 2 + ["Ligne 3"] * 2 + ["Ligne 4"] * 2


def test_lookups_take_a_fixed_number_of_queries_whatever_the_number_of_lines(
    campus, staff, session, django_assert_num_queries
):
    rows = [HEADER] + [[str(left_training(session).pk), "sortie", "CDI", "", "", "", "M1805"] for _ in range(30)]
    RomeCodeFactory(code="M1805")
    table = read_table(csv_bytes(rows))

    # Applications, ROME codes, follow-ups already recorded.
    with django_assert_num_queries(3):
        plan = FollowUpImport(campus=campus, user=staff).prepare(table)
    assert plan.counts()["created"] == 30


@pytest.mark.parametrize("days", [-2, -1, 0, 1, 2])
def test_the_import_and_the_staff_form_open_a_follow_up_on_the_same_day(campus, staff, session, days):
    today = timezone.localdate()
    application = left_training(session)
    Application.objects.filter(pk=application.pk).update(
        left_on=add_months(today + datetime.timedelta(days=FOLLOW_UP_EARLIEST_DAYS + days), -6)
    )
    application.refresh_from_db()
    opens_on = follow_up_opens_on(add_months(application.left_on, 6))

    row = [str(application.pk), "6 mois", "CDI", "", "", "", ""]
    import_errors = errors_of(prepare(csv_bytes([HEADER, row]), campus, staff))
    try:
        record_follow_up(application, FollowUpMilestone.SIX_MONTHS, placement=Placement.CDI)
        staff_refused = False
    except Refused:
        staff_refused = True

    assert bool(import_errors) == staff_refused == (opens_on > today)


def test_another_campus_application_with_a_recorded_follow_up_reads_as_unknown(campus, staff, applications):
    # Campus B's team tries campus A's numbers: a recorded follow-up there must neither conflict nor show.
    elsewhere = left_training(SessionFactory(past=True))
    FollowUpFactory(application=elsewhere, milestone=FollowUpMilestone.SIX_MONTHS, employer="Employeur Secret")
    unknown = Application.objects.order_by("pk").last().pk + 1000
    rows = [HEADER, *([str(number), "6 mois", "CDI", "Orange", "", "", ""] for number in (elsewhere.pk, unknown))]

    plan = prepare(csv_bytes(rows), campus, staff)

    assert errors_of(plan) == [
        f"Ligne {line}, colonne « n° de candidature » : aucune candidature n° {number} dans ce campus."
        for line, number in [(2, elsewhere.pk), (3, unknown)]
    ]
    assert plan.conflicts == []
