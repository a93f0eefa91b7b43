"""How the export tests download a funder's file and read it back, whatever its format."""

import csv
import datetime
import io

from django.urls import reverse

from financeurs.resources import pseudonym

FORMATS = ["csv", "xlsx", "ods", "json"]
PARTICIPANT_HEADERS = [
    "Pseudonyme",
    "Tranche d’âge",
    "Genre",
    "Résident·e QPV",
    "Diplôme",
    "Situation à l’entrée",
    "Durée de recherche d’emploi",
    "RQTH",
    "Orienté·e par",
    "Campus",
    "Formation",
    "Début de session",
    "Fin de session",
    "Statut",
    "Date de sortie",
    "Situation à la sortie",
    "Sortie positive à la sortie",
    "Situation à 6 mois",
    "Sortie positive à 6 mois",
    "Situation à 12 mois",
    "Sortie positive à 12 mois",
    "Employeur ou organisme (dernier suivi)",
    "Poste ou formation (dernier suivi)",
    "Certifié·e",
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
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def row_of(rows, headers, pseudonym_value):
    index = headers.index("Pseudonyme")
    return next(dict(zip(headers, row, strict=True)) for row in rows if row[index] == pseudonym_value)


def awa_pseudonym(agreement, people):
    return pseudonym(agreement.funder_id, people["awa"].learner_id)


def normalised(value):
    if value in ("", None):
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
