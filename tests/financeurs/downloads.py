"""How the export tests download a funder's file and read it back, whatever its format."""

import csv
import datetime
import io
import json

from django.urls import reverse

from financeurs.pseudonyms import pseudonym

FORMATS = ["csv", "xlsx", "ods", "json"]
PARTICIPANT_HEADERS = [
    "Pseudonyme",
    "Tranche d’âge",
    "Genre",
    "Résident·e QPV",
    "Diplôme",
    "Situation à l’entrée",
    "Durée de recherche d’emploi",
    "Orienté·e par",
    "Campus",
    "Formation",
    "Début de session",
    "Fin de session",
    "Statut",
    "Date de sortie",
    "Heures suivies",
    "Situation à la sortie",
    "Sortie positive à la sortie",
    "Situation à 6 mois",
    "Sortie positive à 6 mois",
    "Situation à 12 mois",
    "Sortie positive à 12 mois",
    "Certifié·e",
]
# A file of an agreement that requires named data adds names and the latest follow-up's free text.
NAMED_HEADERS = ["Prénom", "Nom", "E-mail", "Date de naissance"]
FREE_TEXT_HEADERS = ["Employeur ou organisme (dernier suivi)", "Poste ou formation (dernier suivi)"]
NAMED_PARTICIPANT_HEADERS = [
    PARTICIPANT_HEADERS[0],
    *NAMED_HEADERS,
    *PARTICIPANT_HEADERS[1:-1],
    *FREE_TEXT_HEADERS,
    PARTICIPANT_HEADERS[-1],
]


def url(name, agreement, file_format, **query):
    address = reverse(f"financeurs:{name}", kwargs={"pk": agreement.pk, "file_format": file_format})
    if query:
        address += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return address


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def download(client, user, agreement, file_format, name="export_participants", **query):
    client.force_login(user)
    response = client.get(url(name, agreement, file_format, **query))
    assert response.status_code == 200, response
    return body(response)


def read_csv(content):
    """The rows of a CSV file, headers first, without the participant file's opening note (see csv_note)."""
    rows = csv_rows(content)
    return rows[1:] if rows and rows[0][0].startswith("#") else rows


def csv_note(content):
    """The participant file's first line, which says how it was anonymised."""
    [note] = csv_rows(content)[0]
    assert note.startswith("# Anonymisation")
    return note


def csv_rows(content):
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def read_json(content):
    """The participants of a JSON participant file (its "anonymisation" summary aside)."""
    return json.loads(content)["participants"]


def row_of(rows, headers, pseudonym_value):
    index = headers.index("Pseudonyme")
    return next(dict(zip(headers, row, strict=True)) for row in rows if row[index] == pseudonym_value)


def pseudonym_of(agreement, application):
    return pseudonym(agreement.funder_id, application.learner.pseudonym_id)


def awa_pseudonym(agreement, people):
    return pseudonym_of(agreement, people["awa"])


def month(day):
    """How the file shows a date before any generalisation: its month."""
    return day.strftime("%m/%Y")


def normalised(value):
    if value in ("", None):
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
