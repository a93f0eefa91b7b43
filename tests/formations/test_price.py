"""One price: a formation shows what its upcoming sessions ask, the same on its page, its card and its markup."""

import datetime
import html

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formations.models import FormationPage, PriceRange
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import FormationPageFactory, SessionFactory


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def campus(campus_index):
    return CampusPageFactory(parent=campus_index)


@pytest.mark.parametrize(
    ("lowest", "highest", "shown"),
    [
        (0, 0, "Gratuit"),
        (15000, 15000, "150 €"),
        (4990, 4990, "49,90 €"),
        (5000, 12000, "de 50 € à 120 € selon la session"),
        (0, 12050, "Gratuit ou 120,50 € selon la session"),
    ],
)
def test_a_price_range_reads_as_one_phrase(lowest, highest, shown):
    assert str(PriceRange(lowest, highest)) == shown


def card_and_page(client, formation):
    catalogue = html.unescape(client.get("/formations/").content.decode())
    page = html.unescape(client.get(formation.url).content.decode())
    return catalogue, page


@pytest.mark.parametrize(
    ("prices", "shown"),
    [
        ([0], "Gratuit"),
        ([15000], "150 €"),
        ([5000, 12000, 5000], "de 50 € à 120 € selon la session"),
        ([0, 29000], "Gratuit ou 290 € selon la session"),
    ],
)
def test_the_page_and_the_card_show_what_the_upcoming_sessions_ask(client, campus, prices, shown):
    formation = FormationPageFactory(parent=campus, title="Développeur web")
    for number, price in enumerate(prices):
        SessionFactory(formation=formation, price_cents=price, start_date=in_days(10 + number))
    SessionFactory(formation=formation, price_cents=99900, past=True)  # a past session asks nothing any more

    catalogue, page = card_and_page(client, formation)

    assert f"<li>{shown}</li>" in catalogue or f"<li><strong>{shown}</strong></li>" in catalogue
    assert f"<dd>{shown}</dd>" in page or f"<dd><strong>{shown}</strong></dd>" in page
    assert "999" not in page


def test_without_an_upcoming_session_no_price_is_announced(client, campus):
    formation = FormationPageFactory(parent=campus, title="Développeur web")
    SessionFactory(formation=formation, price_cents=5000, past=True)

    catalogue, page = card_and_page(client, formation)

    facts = catalogue[catalogue.index('<ul class="facts">') :]
    facts = facts[: facts.index("</ul>")]
    assert "<dt>Prix</dt>" not in page
    assert "Gratuit" not in facts and "€" not in facts


@pytest.mark.parametrize(("prices", "listed"), [([0], True), ([0, 5000], False), ([5000], False), ([], False)])
def test_the_free_filter_lists_formations_whose_upcoming_sessions_are_all_free(client, campus, prices, listed):
    formation = FormationPageFactory(parent=campus, title="Développeur web")
    for price in prices:
        SessionFactory(formation=formation, price_cents=price)
    SessionFactory(formation=formation, price_cents=5000, past=True)

    catalogue = client.get("/formations/", {"gratuit": "on"}).content.decode()

    assert ("Développeur web" in catalogue) is listed


sessions = st.lists(st.tuples(st.integers(-60, 60), st.sampled_from([0, 1, 4990, 5000, 15000, 29000])), max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=sessions)
def test_the_catalogue_and_the_page_compute_the_same_range_as_the_words_say(campus, sessions):
    """docs/inscriptions.md: the lowest and the highest amount asked by the sessions starting today or later."""
    formation = FormationPageFactory(parent=campus)
    for offset, price in sessions:
        SessionFactory(
            formation=formation,
            price_cents=price,
            start_date=in_days(offset),
            end_date=in_days(offset + 30),
            application_deadline=in_days(offset - 1),
        )
    upcoming = [price for offset, price in sessions if offset >= 0]
    expected = (min(upcoming), max(upcoming)) if upcoming else None

    listed = FormationPage.objects.for_catalogue().get(pk=formation.pk)
    fresh = FormationPage.objects.get(pk=formation.pk)

    assert (tuple(listed.price_range) if listed.price_range else None) == expected
    assert (tuple(fresh.price_range) if fresh.price_range else None) == expected
    assert listed.is_free == fresh.is_free == (expected is not None and expected[1] == 0)
