"""The public catalogue at /formations/, its filters: each one alone, keywords, and several combined."""

import pytest

from formations.enums import CertificationLevel, EntryLevel, Format, Schedule
from tests.campus.factories import CampusPageFactory
from tests.formations.catalogue.browsing import ERROR_SUMMARY, browse, in_days, titles
from tests.formations.factories import (
    CertificationFactory,
    DomainFactory,
    FormationPageFactory,
    RomeCodeFactory,
    SessionFactory,
)

# --- Each filter alone --------------------------------------------------------------------------
# Each builder creates a formation the filter keeps and one it leaves out, and returns the query.


def by_keyword(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité")
    FormationPageFactory(parent=campus, title="Développeur web")
    return {"q": "CYBER"}


def by_campus(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité")
    FormationPageFactory(parent=CampusPageFactory(), title="Développeur web")
    return {"campus": campus.pk}


def by_domain(campus):
    domain = DomainFactory(label="Sécurité informatique")
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", domain=domain)
    FormationPageFactory(parent=campus, title="Développeur web", domain=DomainFactory(label="Développement"))
    return {"domaine": domain.pk}


def by_level(campus):
    FormationPageFactory(
        parent=campus,
        title="Analyste en cybersécurité",
        certification=CertificationFactory(level=CertificationLevel.LEVEL_6),
    )
    FormationPageFactory(
        parent=campus, title="Développeur web", certification=CertificationFactory(level=CertificationLevel.LEVEL_5)
    )
    return {"niveau": "6"}


def by_entry_level(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", entry_level=EntryLevel.LEVEL_4)
    FormationPageFactory(parent=campus, title="Développeur web", entry_level=EntryLevel.NONE)
    return {"prerequis": EntryLevel.LEVEL_4}


def by_format(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", format=Format.REMOTE)
    FormationPageFactory(parent=campus, title="Développeur web", format=Format.ON_SITE)
    return {"format": Format.REMOTE}


def by_schedule(campus):
    SessionFactory(
        formation=FormationPageFactory(parent=campus, title="Analyste en cybersécurité"), schedule=Schedule.PART_TIME
    )
    missed = FormationPageFactory(parent=campus, title="Développeur web")
    SessionFactory(formation=missed, schedule=Schedule.FULL_TIME)
    SessionFactory(formation=missed, schedule=Schedule.PART_TIME, past=True)
    return {"rythme": Schedule.PART_TIME}


def by_price(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", session_price=0)
    FormationPageFactory(parent=campus, title="Développeur web", paid=True)
    return {"gratuit": "on"}


def by_open_seats(campus):
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Analyste en cybersécurité"))
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Développeur web"), full=True)
    return {"places": "on"}


def by_earliest_start(campus):
    kept = FormationPageFactory(parent=campus, title="Analyste en cybersécurité")
    SessionFactory(formation=kept, start_date=in_days(60))
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Développeur web"), start_date=in_days(10))
    return {"debut_min": in_days(40).isoformat()}


def by_latest_start(campus):
    kept = FormationPageFactory(parent=campus, title="Analyste en cybersécurité")
    SessionFactory(formation=kept, start_date=in_days(10))
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Développeur web"), start_date=in_days(60))
    FormationPageFactory(parent=campus, title="Technicien réseau")
    return {"debut_max": in_days(40).isoformat()}


def by_shortest_duration(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", duration_hours=400)
    FormationPageFactory(parent=campus, title="Développeur web", duration_hours=200)
    return {"duree_min": "300"}


def by_longest_duration(campus):
    FormationPageFactory(parent=campus, title="Analyste en cybersécurité", duration_hours=200)
    FormationPageFactory(parent=campus, title="Développeur web", duration_hours=400)
    return {"duree_max": "300"}


def by_job(campus):
    FormationPageFactory(
        parent=campus, title="Analyste en cybersécurité", target_jobs=[RomeCodeFactory(code="M1844", label="Analyste")]
    )
    FormationPageFactory(
        parent=campus, title="Développeur web", target_jobs=[RomeCodeFactory(code="M1855", label="Développeur")]
    )
    return {"metier": "M1844"}


@pytest.mark.parametrize(
    "build",
    [
        by_keyword,
        by_campus,
        by_domain,
        by_level,
        by_entry_level,
        by_format,
        by_schedule,
        by_price,
        by_open_seats,
        by_earliest_start,
        by_latest_start,
        by_shortest_duration,
        by_longest_duration,
        by_job,
    ],
    ids=lambda build: build.__name__,
)
def test_each_filter_keeps_the_matching_formation_only(client, campus, build):
    params = build(campus)

    response = browse(client, params)

    assert titles(response) == ["Analyste en cybersécurité"]
    assert ERROR_SUMMARY not in response.content.decode()


@pytest.mark.parametrize(
    "holding_the_word",
    [
        lambda: {"title": "Analyste en cybersécurité"},
        lambda: {"summary": "Protéger les réseaux contre les cyberattaques."},
        lambda: {"certification": CertificationFactory(title="Cybersécurité des systèmes")},
        lambda: {"domain": DomainFactory(label="Cybersécurité")},
        lambda: {"target_jobs": [RomeCodeFactory(label="Expert en cybersécurité")]},
    ],
    ids=["title", "summary", "certification", "domain", "job"],
)
def test_keywords_search_title_summary_certification_domain_and_jobs(client, campus, holding_the_word):
    found = FormationPageFactory(parent=campus, **holding_the_word())
    FormationPageFactory(parent=campus, title="Développeur web", certification=CertificationFactory())

    assert titles(browse(client, {"q": "cyber"})) == [found.title]


def test_every_keyword_must_match(client, campus):
    FormationPageFactory(parent=campus, title="Développeur web", summary="Créer des sites accessibles.")
    FormationPageFactory(parent=campus, title="Développeur d'applications mobiles")

    assert titles(browse(client, {"q": "  développeur   sites "})) == ["Développeur web"]


def test_several_filters_combine(client, campus):
    def formation_with_a_session(title, full=False, price_cents=0, **changes):
        fields = {"parent": campus, "format": Format.REMOTE, "duration_hours": 200, **changes}
        SessionFactory(formation=FormationPageFactory(title=title, **fields), full=full, price_cents=price_cents)

    formation_with_a_session("Développeur web")
    formation_with_a_session("Développeur web payant", price_cents=90000)
    formation_with_a_session("Développeur web sur place", format=Format.ON_SITE)
    formation_with_a_session("Développeur web long", duration_hours=900)
    formation_with_a_session("Développeur web ailleurs", parent=CampusPageFactory())
    formation_with_a_session("Développeur web complet", full=True)
    formation_with_a_session("Analyste")
    filters = {"format": Format.REMOTE, "gratuit": "on", "duree_max": "300", "places": "on"}

    response = browse(client, {"q": "web", "campus": campus.pk, **filters})

    assert titles(response) == ["Développeur web"]
    assert "Plus de filtres (5 actifs)" in response.content.decode()


def test_start_date_bounds_apply_to_one_and_the_same_session(client, campus):
    around = FormationPageFactory(parent=campus, title="Une session avant, une après")
    SessionFactory(formation=around, start_date=in_days(10))
    SessionFactory(formation=around, start_date=in_days(100))
    middle = FormationPageFactory(parent=campus, title="Une session au milieu")
    SessionFactory(formation=middle, start_date=in_days(50))

    response = browse(client, {"debut_min": in_days(40).isoformat(), "debut_max": in_days(60).isoformat()})

    assert titles(response) == ["Une session au milieu"]


def test_start_date_filter_ignores_past_sessions(client, campus):
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Session passée"), past=True)

    assert titles(browse(client, {"debut_max": in_days(40).isoformat()})) == []


@pytest.mark.parametrize("situation", ["closed", "full", "deadline_passed"])
def test_open_seats_filter_leaves_out_sessions_that_take_no_application(client, campus, situation):
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Fermée"), **{situation: True})
    open_one = FormationPageFactory(parent=campus, title="Ouverte")
    SessionFactory(formation=open_one, **{situation: True})
    SessionFactory(formation=open_one, start_date=in_days(90))
    FormationPageFactory(parent=campus, title="Sans session")

    assert titles(browse(client, {"places": "on"})) == ["Ouverte"]


def test_unchecked_boxes_filter_nothing(client, campus):
    FormationPageFactory(parent=campus, title="Payante", paid=True)

    assert titles(browse(client, {"gratuit": "false", "places": "false"})) == ["Payante"]
