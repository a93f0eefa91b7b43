"""The participant file is k-anonymous (k = 5): no combination of quasi-identifiers among the pseudonymised rows
covers fewer than five rows, dates are never shown to the day, and the file says what it did."""

import collections
import datetime
import io
import re

import openpyxl
import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from financeurs.anonymity import LADDER, fine_key, plan
from inscriptions.enums import AgeBand, Diploma, Gender
from inscriptions.workflow import LEFT_TRAINING, Status
from tests.campus.factories import CampusPageFactory
from tests.financeurs.downloads import FREE_TEXT_HEADERS, csv_note, download, read_csv
from tests.financeurs.factories import AgreementFactory, days_ago, funder_user
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, LearnerFactory

QUASI_IDENTIFIERS = [
    "Tranche d’âge",
    "Genre",
    "Campus",
    "Formation",
    "Début de session",
    "Diplôme",
    "Date de sortie",
]
DATE_COLUMNS = ["Début de session", "Fin de session", "Date de sortie"]
# A month, a quarter or a year: never a day.
PERIOD = re.compile(r"^(\d{2}/\d{4}|T[1-4] \d{4}|\d{4})$")
NOT_DISCLOSED = "Non diffusé"


@pytest.fixture
def settings_k5(settings):
    settings.PARTICIPANT_FILE_K = 5


@pytest.fixture
def catalogue(settings_k5):
    """Two campuses, two formations each, two sessions each (started in different months), one agreement."""
    campuses = [CampusPageFactory(title="Campus des Courtillières"), CampusPageFactory(title="Campus du Luth")]
    sessions = []
    for campus in campuses:
        for number, title in enumerate(("Développeur·se web", "Technicien·ne réseaux")):
            formation = FormationPageFactory(parent=campus, title=f"{title} – {campus.title}")
            for start in (days_ago(330 - 40 * number), days_ago(200 - 40 * number)):
                sessions.append(
                    SessionFactory(
                        formation=formation,
                        start_date=start,
                        end_date=start + datetime.timedelta(days=90),
                        application_deadline=start - datetime.timedelta(days=10),
                    )
                )
    agreement = AgreementFactory(campuses=campuses)
    return sessions, agreement, funder_user(agreement.funder)


def enrol(
    session,
    *,
    age=20,
    gender=Gender.FEMALE,
    diploma=Diploma.BAC,
    status=Status.IN_TRAINING,
    left_after=45,
    named=False,
):
    application = ApplicationFactory(
        session=session,
        status=status,
        age_on_submission=age,
        left_on=session.start_date + datetime.timedelta(days=left_after) if status in LEFT_TRAINING else None,
        learner=LearnerFactory(
            gender=gender, diploma=diploma, named_data_consent_at=timezone.now() if named else None
        ),
    )
    FollowUpFactory(application=application, employer="Boulangerie Martin", job_title="Vendeuse")
    return application


def files(client, user, agreement):
    """(records, note) of the CSV, and the records of the XLSX, each record a dict of strings ("" for blank)."""
    content = download(client, user, agreement, "csv")
    headers, *rows = read_csv(content)
    csv_records = [dict(zip(headers, row, strict=True)) for row in rows]
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, user, agreement, "xlsx")))
    headers, *rows = workbook["Participant·es"].iter_rows(values_only=True)
    xlsx_records = [
        {header: "" if value is None else value for header, value in zip(headers, row, strict=True)} for row in rows
    ]
    summary = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True) if row and row[0]}
    return csv_records, csv_note(content), xlsx_records, summary


def combinations(records):
    """Quasi-identifier combinations of the pseudonymised rows (the named ones have a first name)."""
    return collections.Counter(
        tuple(record[column] for column in QUASI_IDENTIFIERS) for record in records if not record.get("Prénom")
    )


def assert_k_anonymous(records, k=5):
    classes = combinations(records)
    assert all(count >= k for count in classes.values()), classes
    for record in records:
        for column in DATE_COLUMNS:
            value = record[column]
            assert value in ("", NOT_DISCLOSED) or PERIOD.match(value), (column, value)


def withheld(note):
    return int(re.search(r"Lignes retirées du fichier : (\d+)\.", note)[1])


def check_file(client, user, agreement, people_count):
    csv_records, note, xlsx_records, summary = files(client, user, agreement)
    for records in (csv_records, xlsx_records):
        assert_k_anonymous(records)
    shown = [tuple(record[column] for column in ["Pseudonyme", *QUASI_IDENTIFIERS]) for record in csv_records]
    assert sorted(shown) == sorted(
        tuple(str(record[column]) for column in ["Pseudonyme", *QUASI_IDENTIFIERS]) for record in xlsx_records
    )
    assert len(csv_records) + withheld(note) == people_count
    assert summary["Anonymisation"] == "k = 5"
    assert summary["Lignes retirées du fichier"] == withheld(note)
    for record in csv_records:
        if not record.get("Prénom"):
            assert all(not record.get(column) for column in FREE_TEXT_HEADERS), record
    return csv_records, note, summary


PERSON = st.tuples(
    st.integers(0, 7),  # session
    st.sampled_from([17, 20, 24, 28, 35]),  # age on applying
    st.sampled_from(list(Gender)),
    st.sampled_from(list(Diploma)),
    st.sampled_from([Status.SUBMITTED, Status.IN_TRAINING, Status.CERTIFIED, Status.DROPPED_OUT]),
    st.sampled_from([10, 45, 80]),  # days into the session when leaving
    st.booleans(),  # agreed to be named
    st.integers(1, 7),  # how many alike, so that some combinations reach k and some do not
)


@hypothesis_settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(groups=st.lists(PERSON, max_size=8), named_file=st.booleans())
def test_every_combination_of_quasi_identifiers_covers_at_least_k_pseudonymised_rows(
    client, catalogue, groups, named_file
):
    sessions, agreement, user = catalogue
    with transaction.atomic():
        agreement.requires_named_data = named_file
        agreement.save()
        count = 0
        for session, age, gender, diploma, status, left_after, named, alike in groups:
            for _ in range(alike):
                enrol(
                    sessions[session],
                    age=age,
                    gender=gender,
                    diploma=diploma,
                    status=status,
                    left_after=left_after,
                    named=named,
                )
                count += 1

        check_file(client, user, agreement, count)
        transaction.set_rollback(True)


def test_sixteen_people_each_unique_on_age_gender_campus_and_diploma_give_no_class_below_five(client, catalogue):
    sessions, agreement, user = catalogue
    profiles = [
        (age, gender, diploma, session)
        for age, gender in [(17, Gender.FEMALE), (22, Gender.MALE), (28, Gender.FEMALE), (34, Gender.OTHER)]
        for diploma, session in [(Diploma.NONE, 0), (Diploma.BAC, 3), (Diploma.BAC_2, 4), (Diploma.CAP_BEP, 7)]
    ]
    for age, gender, diploma, session in profiles:
        enrol(sessions[session], age=age, gender=gender, diploma=diploma)
    unique_before = {
        (AgeBand.for_age(age), gender, sessions[s].formation.get_parent().pk, d) for age, gender, d, s in profiles
    }
    assert len(unique_before) == 16

    records, note, summary = check_file(client, user, agreement, 16)

    # No rung of the ladder merges any of them (each age band and gender is on one campus with one diploma
    # level), so they keep every detail but their quasi-identifiers, and the sixteen make one class.
    assert len(records) == 16 and {record["Campus"] for record in records} == {NOT_DISCLOSED}
    assert summary["Généralisations appliquées"] == "aucune"
    assert summary["Lignes aux caractéristiques non diffusées"] == 16
    assert {record["Statut"] for record in records} == {"En formation"}


def test_months_of_one_quarter_are_merged_before_anything_else(client, settings_k5):
    campus = CampusPageFactory(title="Campus des Courtillières")
    formation = FormationPageFactory(parent=campus, title="Développeur·se web")
    start = days_ago(200)
    quarter_start = datetime.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    sessions = [
        SessionFactory(formation=formation, start_date=day, application_deadline=day - datetime.timedelta(days=10))
        for day in (quarter_start + datetime.timedelta(days=3), quarter_start + datetime.timedelta(days=40))
    ]
    for session in sessions:
        for _ in range(3):
            enrol(session)
    agreement = AgreementFactory(campuses=[campus])
    user = funder_user(agreement.funder)

    records, note, summary = check_file(client, user, agreement, 6)

    assert summary["Généralisations appliquées"] == "mois regroupés en trimestres"
    quarter = f"T{(start.month - 1) // 3 + 1} {start.year}"
    assert {record["Début de session"] for record in records} == {quarter}
    assert {record["Formation"] for record in records} == {"Développeur·se web"}
    assert {record["Diplôme"] for record in records} == {
        "Baccalauréat, général, technologique ou professionnel (niveau 4)"
    }


def test_named_people_do_not_count_towards_anyone_elses_class(client, catalogue):
    sessions, agreement, user = catalogue
    agreement.requires_named_data = True
    agreement.save()
    for _ in range(4):
        enrol(sessions[0])
    enrol(sessions[0], named=True)  # would make a class of five if the named row counted

    records, note, summary = check_file(client, user, agreement, 5)

    [named] = records
    assert named["Prénom"] and named[FREE_TEXT_HEADERS[0]] == "Boulangerie Martin"
    assert named["Début de session"] == sessions[0].start_date.strftime("%m/%Y")
    assert withheld(note) == 4


def test_a_file_without_named_data_has_no_free_text_columns(client, catalogue):
    sessions, agreement, user = catalogue
    for _ in range(5):
        enrol(sessions[1], named=True)

    csv_records, note, xlsx_records, summary = files(client, user, agreement)

    assert len(csv_records) == 5
    for records in (csv_records, xlsx_records):
        assert all(header not in records[0] for header in FREE_TEXT_HEADERS)
    assert summary["Généralisations appliquées"] == "aucune"
    assert b"Boulangerie" not in download(client, user, agreement, "json")


def test_rows_still_in_small_classes_are_not_disclosed_when_they_are_k_together(client, catalogue):
    sessions, agreement, user = catalogue
    for _ in range(5):
        enrol(sessions[0])
    # Five people each alone on their campus and diploma, whatever the rung: together they make a class of five.
    for session, diploma in [(4, Diploma.NONE), (5, Diploma.BAC), (6, Diploma.BAC_3_PLUS), (7, Diploma.NONE)]:
        enrol(sessions[session], diploma=diploma, gender=Gender.MALE, age=35)
    enrol(sessions[4], diploma=Diploma.BAC_2, gender=Gender.OTHER, age=17)

    records, note, summary = check_file(client, user, agreement, 10)

    hidden = [record for record in records if record["Campus"] == NOT_DISCLOSED]
    assert len(hidden) == 5
    assert all(
        record[column] == NOT_DISCLOSED for record in hidden for column in [*QUASI_IDENTIFIERS, "Fin de session"]
    )
    assert summary["Lignes aux caractéristiques non diffusées"] == 5 and withheld(note) == 0
    assert "Lignes aux caractéristiques non diffusées : 5." in note


def test_rows_are_in_pseudonym_order_not_by_session(client, catalogue):
    sessions, agreement, user = catalogue
    for session in (sessions[0], sessions[1]):
        for _ in range(5):
            enrol(session)

    records, note, summary = check_file(client, user, agreement, 10)

    assert [record["Pseudonyme"] for record in records] == sorted(record["Pseudonyme"] for record in records)


def test_rows_read_a_few_people_per_query_keep_pseudonym_order_and_everyone(client, catalogue, monkeypatch):
    monkeypatch.setattr("financeurs.participant_file.ROWS_PER_QUERY", 3)
    sessions, agreement, user = catalogue
    for session in (sessions[0], sessions[1]):
        for _ in range(5):
            enrol(session)

    records, note, summary = check_file(client, user, agreement, 10)

    pseudonyms = [record["Pseudonyme"] for record in records]
    assert pseudonyms == sorted(pseudonyms) and len(set(pseudonyms)) == 10


# --- The plan itself, on counts -------------------------------------------------------------------


def key(campus="Campus A", month=3, diploma=Diploma.BAC, gender=Gender.FEMALE):
    return fine_key(AgeBand.FROM_18_TO_25, gender, campus, "Formation", datetime.date(2026, month, 1), diploma, None)


def test_plan_keeps_every_detail_when_every_combination_is_large_enough():
    result = plan(collections.Counter({key(): 5, key(month=4): 7}), k=5)

    assert (result.level, result.suppressed, result.suppressed_rows, result.withheld_rows) == (0, frozenset(), 0, 0)
    assert result.generalisations == []


def test_plan_climbs_only_as_far_as_needed():
    result = plan(collections.Counter({key(month=1): 3, key(month=2): 3, key(month=4): 5}), k=5)

    assert result.level == 1 and result.generalisations == [str(LADDER[0])]
    assert result.shown(key(month=2))[4] == "T1 2026"


def test_plan_stops_at_the_lowest_rung_when_climbing_does_not_help():
    # Alone on its campus at every rung: coarsening everyone else would not save it.
    result = plan(collections.Counter({key(): 20, key(campus="Campus B"): 2}), k=5)

    assert result.level == 0 and result.withheld_rows == 2 and result.suppressed_rows == 0


def test_plan_suppresses_rather_than_withholds_k_rows_or_more():
    counts = collections.Counter({key(): 20, key(campus="Campus B"): 2, key(campus="Campus C"): 3})

    result = plan(counts, k=5)

    assert result.suppressed_rows == 5 and result.withheld_rows == 0
    assert result.is_suppressed(result.shown(key(campus="Campus B")))
    assert not result.is_suppressed(result.shown(key()))


def test_plan_tolerates_a_few_suppressed_rows_in_a_large_file():
    counts = collections.Counter({key(month=month): 100 for month in range(1, 13)})
    counts[key(gender=Gender.OTHER)] = 5
    counts[key(gender=Gender.OTHER, month=5)] = 2  # 2 rows of 1,207: within 1 %, months stay

    result = plan(counts, k=5)

    assert result.level == 0 and result.suppressed_rows == 0 and result.withheld_rows == 2
