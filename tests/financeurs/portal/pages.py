"""How the portal tests reach a funder's pages and read them back."""

from bs4 import BeautifulSoup
from django.urls import reverse

INDEX = reverse("financeurs:index")


def dashboard_url(agreement, **query):
    url = reverse("financeurs:agreement", args=[agreement.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def cells(row):
    return [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
