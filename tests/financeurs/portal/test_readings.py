"""The dashboard reads its figures honestly: both readings of a rate with their bases, no verdict on too few people
or on a part of the agreement, a period that is not complete yet, and people still "en formation" after the end."""

import datetime

import pytest
from django.utils import timezone

from financeurs.indicators.definitions import MIN_BASE_FOR_VERDICT
from financeurs.models import IndicatorTarget
from inscriptions.enums import FollowUpMilestone, Placement
from inscriptions.models import add_months
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.financeurs.factories import AgreementFactory, FunderFactory, funder_user
from tests.financeurs.portal.pages import cells, dashboard_url, soup
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, move_to

TODAY = timezone.localdate()


@pytest.fixture
def agreement(campus):
    return AgreementFactory(
        campuses=[campus],
        start_date=TODAY - datetime.timedelta(days=700),
        end_date=TODAY + datetime.timedelta(days=30),
        funder=FunderFactory(),
    )


@pytest.fixture
def funder(agreement):
    return funder_user(agreement.funder)


def leavers(campus, count, *, start, placements=(), status=Status.COMPLETED):
    """`count` people who left a session starting on `start`; the first ones answered with `placements`."""
    session = SessionFactory(
        formation=FormationPageFactory(parent=campus),
        start_date=start,
        end_date=start + datetime.timedelta(days=60),
        capacity=count,
    )
    staff = UserFactory(staff_of=campus)
    people = [move_to(ApplicationFactory(session=session), status, actor=staff) for _ in range(count)]
    for application, placement in zip(people, placements, strict=False):
        FollowUpFactory(application=application, milestone=FollowUpMilestone.EXIT, placement=placement)
    return session, people


def rows_of(client, funder, agreement, **query):
    client.force_login(funder)
    page = soup(client.get(dashboard_url(agreement, **query)))
    return page, {
        row["id"].removeprefix("indicateur-"): cells(row)[1:] for row in page.select("table.indicators tr[id]")
    }


def test_a_positive_exit_rate_is_read_over_respondents_and_over_all_leavers(client, funder, agreement, campus):
    # 4 leavers: 2 in a CDI, 1 job seeking, 1 who never answered.
    leavers(
        campus,
        4,
        start=TODAY - datetime.timedelta(days=300),
        placements=[Placement.CDI, Placement.CDI, Placement.JOB_SEEKING],
    )

    _, rows = rows_of(client, funder, agreement)

    value, _target, _verdict, reading = rows["sorties_positives"]
    assert value == "66,7\xa0%"
    assert reading == "66,7\xa0% des 3 qui ont répondu ; 50\xa0% des 4 personnes sorties"


def test_situation_unknown_is_not_an_answer(client, funder, agreement, campus):
    leavers(
        campus,
        4,
        start=TODAY - datetime.timedelta(days=300),
        placements=[Placement.CDI, Placement.CDI, Placement.JOB_SEEKING, Placement.UNKNOWN],
    )

    _, rows = rows_of(client, funder, agreement)

    assert rows["taux_reponse_sortie"][0] == "75\xa0%"
    assert rows["sorties_positives"][3] == "66,7\xa0% des 3 qui ont répondu ; 50\xa0% des 4 personnes sorties"


def test_no_verdict_on_a_rate_below_the_minimum_base(client, funder, agreement, campus):
    leavers(campus, 2, start=TODAY - datetime.timedelta(days=300), placements=[Placement.CDI, Placement.CDI])
    IndicatorTarget.objects.create(agreement=agreement, indicator="sorties_positives", value=50)

    _, rows = rows_of(client, funder, agreement)

    assert rows["sorties_positives"][:3] == ["100\xa0%", "50\xa0%", "Trop peu de personnes pour conclure."]


def test_a_rate_with_enough_people_gets_its_verdict(client, funder, agreement, campus):
    placements = [Placement.CDI] * 3 + [Placement.JOB_SEEKING] * (MIN_BASE_FOR_VERDICT - 3)
    leavers(campus, MIN_BASE_FOR_VERDICT, start=TODAY - datetime.timedelta(days=300), placements=placements)
    IndicatorTarget.objects.create(agreement=agreement, indicator="sorties_positives", value=50)

    _, rows = rows_of(client, funder, agreement)

    assert rows["sorties_positives"][:3] == ["30\xa0%", "50\xa0%", "Objectif non atteint"]


def test_a_whole_agreement_target_is_not_judged_on_a_part_of_it(client, funder, agreement, campus):
    session, _ = leavers(campus, 1, start=TODAY - datetime.timedelta(days=300))
    IndicatorTarget.objects.create(agreement=agreement, indicator="entres", value=40)

    _, whole = rows_of(client, funder, agreement)
    _, part = rows_of(
        client, funder, agreement, debut=session.start_date.isoformat(), fin=session.start_date.isoformat()
    )

    assert whole["entres"][:3] == ["1", "40", "Objectif non atteint"]
    assert part["entres"][:3] == [
        "1",
        "40",
        "Objectif fixé pour toute la convention : choisissez toute sa période pour conclure.",
    ]


def test_a_period_whose_six_month_results_are_not_all_due_says_when_they_will_be(client, funder, agreement, campus):
    session, _ = leavers(campus, 1, start=TODAY - datetime.timedelta(days=100))

    page, _ = rows_of(client, funder, agreement)

    notice = page.select_one(".notice").get_text(" ", strip=True)
    complete_on = add_months(session.end_date, 6)
    assert "pas encore complets" in notice
    assert f"{complete_on.day} " in notice and str(complete_on.year) in notice


def test_a_complete_period_has_no_notice(client, funder, agreement, campus):
    leavers(campus, 1, start=TODAY - datetime.timedelta(days=500))

    page, _ = rows_of(client, funder, agreement)

    assert page.select_one(".notice") is None


def test_people_still_in_training_after_their_session_ended_are_pointed_out(client, funder, agreement, campus):
    leavers(campus, 2, start=TODAY - datetime.timedelta(days=400), status=Status.IN_TRAINING)

    page, _ = rows_of(client, funder, agreement)

    assert "2 personnes sont encore « en formation » alors que leur session est finie" in page.select_one(
        ".notice"
    ).get_text(" ", strip=True)


def test_esf_rows_not_collected_or_not_applicable_say_so_once(client, funder, agreement, campus):
    client.force_login(funder)

    page = soup(client.get(dashboard_url(agreement)))

    minorities = cells(page.select_one("#fse-EECO15"))
    administrations = cells(page.select_one("#fse-EECO18"))
    assert minorities[2].startswith("Non collecté : la loi française")
    assert minorities[2].count("Non collecté") == 1
    assert administrations[2] == "0"
    assert administrations[3].startswith("Sans objet")


def test_a_span_is_offered_once_under_its_broadest_name(client):
    campus_agreement = AgreementFactory(
        start_date=datetime.date(2024, 10, 1), end_date=datetime.date(2024, 12, 31), funder=FunderFactory()
    )
    client.force_login(funder_user(campus_agreement.funder))

    page = soup(client.get(dashboard_url(campus_agreement)))

    links = [link.get_text(strip=True) for link in page.select(".period-choices a")]
    assert links == ["Toute la convention"]
    assert "Année 2024" in page.select_one(".period-choices").get_text(" ", strip=True)


def test_the_end_of_period_example_is_the_agreement_end(client, funder, agreement):
    client.force_login(funder)

    page = soup(client.get(dashboard_url(agreement)))

    assert page.select_one("#id_fin_aide").get_text(strip=True) == f"Par exemple {agreement.end_date:%d/%m/%Y}."
    assert page.select_one("#id_debut_aide").get_text(strip=True) == f"Par exemple {agreement.start_date:%d/%m/%Y}."
