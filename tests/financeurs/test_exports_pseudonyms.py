"""Funders' downloads, pseudonyms and named data: no name in a pseudonymised file, names only for who consented."""

import base64
import hashlib
import hmac
import io
import json
import zipfile

import openpyxl
import pytest
from django.utils import timezone

from financeurs.indicators import Period
from financeurs.resources import ParticipantResource, pseudonym
from tests.financeurs.conftest import BIRTH_DATE
from tests.financeurs.downloads import FORMATS, awa_pseudonym, download, normalised, read_csv, row_of
from tests.financeurs.factories import AgreementFactory, funder_user

NAMED_HEADERS = ["Prénom", "Nom", "E-mail", "Date de naissance"]


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


def test_pseudonym_is_the_base32_of_an_hmac_of_funder_and_learner(settings):
    settings.PSEUDONYM_KEY = "clé de test"
    digest = hmac.new(b"cl\xc3\xa9 de test", b"12:3456", hashlib.sha256).digest()

    assert pseudonym(12, 3456) == "P-" + base64.b32encode(digest).decode()[:12]
    assert pseudonym(12, 3456) != pseudonym(13, 3456)


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
        records = json.loads(content)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Participant·es"]
        headers, *rows = sheet.iter_rows(values_only=True)
        records = [dict(zip(headers, row, strict=True)) for row in rows]

    assert list(records[0])[:5] == ["Pseudonyme", *NAMED_HEADERS]
    by_pseudonym = {record["Pseudonyme"]: record for record in records}
    awa = by_pseudonym[awa_pseudonym(agreement, people)]
    assert (awa["Prénom"], awa["Nom"], awa["E-mail"]) == ("Awa", "Zerbinati", "awa.zerbinati@courriel.example")
    assert normalised(awa["Date de naissance"]) in (BIRTH_DATE.isoformat(), BIRTH_DATE.strftime("%d/%m/%Y"))
    for name in ("bilal", "chloe"):
        record = by_pseudonym[pseudonym(agreement.funder_id, people[name].learner_id)]
        assert all(normalised(record[header]) is None for header in NAMED_HEADERS)
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

    chloe = next(row for row in rows if row[0] == pseudonym(agreement.funder_id, people["chloe"].learner_id))
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
