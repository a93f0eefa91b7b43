"""How the catalogue tests browse /formations/ and read the results back."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

ERROR_SUMMARY = "Certains filtres n’ont pas été compris"
EMPTY_STATE = "Aucune formation ne correspond à tous ces critères."


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def browse(client, params=None):
    response = client.get(reverse("formations:catalogue"), params or {})
    assert response.status_code == 200
    return response


def titles(response):
    return [formation.title for formation in response.context["page_obj"].object_list]


def result_count(response):
    heading = re.search(r'<h2 id="resultats"[^>]*>(.*?)</h2>', response.content.decode(), re.DOTALL).group(1)
    return " ".join(heading.split())
