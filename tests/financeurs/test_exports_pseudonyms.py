"""Funders' downloads, pseudonyms and named data: no name in a pseudonymised file, names only for who consented.

With k = 1, so that the three people of the fixture are each shown (test_exports_anonymity.py tests k = 5).
"""

import base64
import hashlib
import hmac
import io
import uuid
import zipfile

import openpyxl
import pytest
from django.utils import timezone

from financeurs.indicators import Period
from financeurs.participant_file import ParticipantResource
from financeurs.pseudonyms import pseudonym, pseudonymiser
from tests.financeurs.conftest import BIRTH_DATE
from tests.financeurs.downloads import (
    FORMATS,
    FREE_TEXT_HEADERS,
    NAMED_HEADERS,
    awa_pseudonym,
    download,
    normalised,
    pseudonym_of,
    read_csv,
    read_json,
    row_of,
)
from tests.financeurs.factories import AgreementFactory, funder_user
from tests.inscriptions.factories import LearnerFactory

pytestmark = pytest.mark.usefixtures("one_person_classes")


def readable_bytes(content, file_format):
    """What a search of the file would see: the XML inside XLSX and ODS archives, the bytes otherwise."""
    if file_format in ("xlsx", "ods"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return content


@pytest.mark.parametrize("file_format", FORMATS)
def test_pseudonymised_file_holds_no_name_email_address_or_birth_date(
    client, agreement, funder_a, people, file_format
):
    content = readable_bytes(download(client, funder_a, agreement, file_format), file_format)

    for learner in (application.learner for application in people.values()):
        for secret in (learner.first_name, learner.last_name, learner.email, learner.postcode, "Aubervilliers"):
            assert secret.encode() not in content, secret
    for birth_date in (BIRTH_DATE.isoformat(), BIRTH_DATE.strftime("%d/%m/%Y"), "37666"):  # 37666: Excel serial
        assert birth_date.encode() not in content
    assert awa_pseudonym(agreement, people).encode() in content


def test_pseudonym_is_the_base32_of_an_hmac_of_funder_and_random_pseudonym_id(settings):
    settings.PSEUDONYM_KEY = "clé de test"
    pseudonym_id = uuid.UUID("0b6a8f0e-3c1d-4d8e-9a55-2f6c1e7b9d40")
    message = b"12:0b6a8f0e3c1d4d8e9a552f6c1e7b9d40"  # its 32 hexadecimal digits
    digest = hmac.new(b"cl\xc3\xa9 de test", message, hashlib.sha256).digest()

    assert pseudonym(12, pseudonym_id) == "P-" + base64.b32encode(digest).decode()[:12]
    assert pseudonym(12, pseudonym_id) != pseudonym(13, pseudonym_id)


def test_learners_get_distinct_random_pseudonym_ids():
    first, second = LearnerFactory(), LearnerFactory()

    assert isinstance(first.pseudonym_id, uuid.UUID) and first.pseudonym_id.version == 4
    assert first.pseudonym_id != second.pseudonym_id


def test_the_file_pseudonym_follows_the_pseudonym_id_not_the_sequential_id(client, agreement, funder_a, people):
    awa = people["awa"].learner
    old = awa_pseudonym(agreement, people)
    before = {row[0] for row in read_csv(download(client, funder_a, agreement, "csv"))[1:]}
    assert old in before
    # Whoever knows the learner's sequential id cannot compute the pseudonym from it.
    assert pseudonymiser(agreement.funder_id)(str(awa.pk)) not in before

    awa.pseudonym_id = uuid.uuid4()  # same learner id, another random id
    awa.save()
    after = {row[0] for row in read_csv(download(client, funder_a, agreement, "csv"))[1:]}

    assert old not in after
    assert after == before - {old} | {pseudonym(agreement.funder_id, awa.pseudonym_id)}


def test_pseudonym_is_stable_for_a_funder_and_differs_between_funders(client, campus, agreement, funder_a, people):
    other_agreement = AgreementFactory(campuses=[campus])
    funder_b = funder_user(other_agreement.funder)

    first = read_csv(download(client, funder_a, agreement, "csv"))
    second = read_csv(download(client, funder_a, agreement, "csv"))
    other = read_csv(download(client, funder_b, other_agreement, "csv"))

    pseudonyms = {row[0] for row in first[1:]}
    assert pseudonyms == {row[0] for row in second[1:]}
    assert len(pseudonyms) == 3 and all(value.startswith("P-") and len(value) == 14 for value in pseudonyms)
    assert pseudonyms.isdisjoint({row[0] for row in other[1:]})


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_named_columns_are_filled_only_for_people_who_consented(client, agreement, funder_a, people, file_format):
    agreement.requires_named_data = True
    agreement.save()
    content = download(client, funder_a, agreement, file_format)

    if file_format == "csv":
        headers, *rows = read_csv(content)
        records = [dict(zip(headers, row, strict=True)) for row in rows]
    elif file_format == "json":
        records = read_json(content)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Participant·es"]
        headers, *rows = sheet.iter_rows(values_only=True)
        records = [dict(zip(headers, row, strict=True)) for row in rows]

    assert list(records[0])[:5] == ["Pseudonyme", *NAMED_HEADERS]
    by_pseudonym = {record["Pseudonyme"]: record for record in records}
    awa = by_pseudonym[awa_pseudonym(agreement, people)]
    assert (awa["Prénom"], awa["Nom"], awa["E-mail"]) == ("Awa", "Zerbinati", "awa.zerbinati@courriel.example")
    assert normalised(awa["Date de naissance"]) in (BIRTH_DATE.isoformat(), BIRTH_DATE.strftime("%d/%m/%Y"))
    assert normalised(awa[FREE_TEXT_HEADERS[0]]) == "'+33 6 12 34 56 78"
    for name in ("bilal", "chloe"):
        record = by_pseudonym[pseudonym_of(agreement, people[name])]
        assert all(normalised(record[header]) is None for header in [*NAMED_HEADERS, *FREE_TEXT_HEADERS])
    text = readable_bytes(content, file_format)
    assert b"Quennevilliers" not in text and b"Ravenscroft" not in text


def test_an_anonymised_learner_stays_unnamed_even_after_consenting(agreement, people):
    agreement.requires_named_data = True
    learner = people["awa"].learner
    learner.anonymised_at = timezone.now()
    learner.save()

    rows = list(ParticipantResource(agreement, Period.of_agreement(agreement)).rows())

    awa = next(row for row in rows if row[0] == awa_pseudonym(agreement, people))
    assert awa[1:5] == (None, None, None, None)


def test_someone_who_only_applied_stays_unnamed_even_after_consenting(agreement, people):
    agreement.requires_named_data = True
    learner = people["chloe"].learner
    learner.named_data_consent_at = timezone.now()
    learner.save()

    rows = list(ParticipantResource(agreement, Period.of_agreement(agreement)).rows())

    chloe = next(row for row in rows if row[0] == pseudonym_of(agreement, people["chloe"]))
    assert chloe[1:5] == (None, None, None, None)


def test_learner_names_starting_like_formulas_are_neutralised(client, agreement, funder_a, people):
    agreement.requires_named_data = True
    agreement.save()
    learner = people["awa"].learner
    learner.first_name = "@SUM(A1:A9)"
    learner.last_name = "-2+3"
    learner.save()

    headers, *rows = read_csv(download(client, funder_a, agreement, "csv"))

    awa = row_of(rows, headers, awa_pseudonym(agreement, people))
    assert (awa["Prénom"], awa["Nom"]) == ("'@SUM(A1:A9)", "'-2+3")
