"""The funders' portal, the dashboard: the agreement and what it covers, its figures against their targets.

Every chart is an accessible SVG followed by a table of the same numbers, and the page costs as many queries for
30 participants as for 3.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from financeurs.models import IndicatorTarget
from inscriptions.enums import FollowUpMilestone, Gender, Placement, QpvResidence
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.financeurs.factories import AgreementFactory, funder_user
from tests.financeurs.portal.pages import cells, dashboard_url, soup
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, LearnerFactory, move_to


def learner(**kwargs):
    return LearnerFactory(**kwargs)


@pytest.fixture
def cohort(campus, agreement_a):
    """Four people in the agreement, with known outcomes; one more at a campus outside it.

    Awa (woman, QPV): certified, CDI at exit. Inès (woman): dropped out, job seeking at exit.
    Karim (man): completed, no follow-up yet. Léo (man): applied only.
    """
    today = timezone.localdate()
    start = max(agreement_a.start_date, min(today, agreement_a.end_date) - datetime.timedelta(days=120))
    session = SessionFactory(formation=FormationPageFactory(parent=campus), start_date=start, capacity=12)
    staff = UserFactory(staff_of=campus)

    def apply(target=None, **profile):
        application = ApplicationFactory(session=session, learner=learner(**profile))
        if target:
            move_to(application, target, actor=staff)
        return application

    awa = apply(Status.CERTIFIED, first_name="Awa", gender=Gender.FEMALE, qpv_residence=QpvResidence.YES)
    ines = apply(Status.DROPPED_OUT, first_name="Inès", gender=Gender.FEMALE)
    apply(Status.COMPLETED, first_name="Karim", gender=Gender.MALE)
    apply(first_name="Léo", gender=Gender.MALE)
    FollowUpFactory(application=awa, milestone=FollowUpMilestone.EXIT, placement=Placement.CDI)
    FollowUpFactory(application=ines, milestone=FollowUpMilestone.EXIT, placement=Placement.JOB_SEEKING)
    elsewhere = SessionFactory(start_date=start)
    move_to(ApplicationFactory(session=elsewhere), Status.IN_TRAINING, actor=UserFactory(staff_of=elsewhere.campus))
    for indicator, value in {"part_femmes": 30, "sorties_positives": 60, "abandons": 0}.items():
        IndicatorTarget.objects.create(agreement=agreement_a, indicator=indicator, value=value)
    return session


def indicator_rows(page):
    return {row["id"].removeprefix("indicateur-"): row for row in page.select("table.indicators tbody tr")}


def test_dashboard_shows_the_agreement_and_its_figures_against_their_targets(client, funder_a, agreement_a, cohort):
    client.force_login(funder_a)

    response = client.get(dashboard_url(agreement_a))

    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Parcours numériques 2026"
    facts = dict(
        zip(
            [dt.get_text(strip=True) for dt in page.select("dl.key-facts dt")],
            [dd.get_text(" ", strip=True) for dd in page.select("dl.key-facts dd")],
            strict=True,
        )
    )
    assert facts == {
        "Financeur": "Région Île-de-France",
        "Référence": "REG-IDF-2026-014",
        "Période de la convention": "du 1 janvier 2026 au 30 juin 2027",
        "Campus": "Campus d’Aubervilliers",
        "Formations": "Toutes les formations de ces campus",
        "Montant": "120\xa0000\xa0€",
        "Places financées": "40",
    }
    rows = indicator_rows(page)

    def shown(code):
        # Label and description, value, target, target reached, calculation.
        return cells(rows[code])[1:]

    assert shown("candidats") == ["4", "—", "Pas d’objectif", ""]
    assert shown("admis") == ["3", "—", "Pas d’objectif", "3 sur 4, soit 75\xa0%"]
    assert shown("entres") == ["3", "—", "Pas d’objectif", "3 sur 3, soit 100\xa0%"]
    assert shown("termines") == ["2", "—", "Pas d’objectif", "2 sur 3, soit 66,7\xa0%"]
    assert shown("abandons") == ["1", "0", "Objectif non atteint", "1 sur 3, soit 33,3\xa0%"]
    assert shown("certifies") == ["1", "—", "Pas d’objectif", "1 sur 3, soit 33,3\xa0%"]
    # Rates over fewer than ten people get no verdict; an outcome rate is read over respondents and over all leavers.
    assert shown("sorties_positives") == [
        "50\xa0%",
        "60\xa0%",
        "Trop peu de personnes pour conclure.",
        "50\xa0% des 2 qui ont répondu ; 33,3\xa0% des 3 personnes sorties",
    ]
    assert shown("taux_reponse_sortie") == ["66,7\xa0%", "—", "Pas d’objectif", "2 sur 3"]
    assert shown("part_femmes") == ["66,7\xa0%", "30\xa0%", "Trop peu de personnes pour conclure.", "2 sur 3"]
    assert shown("part_qpv") == ["33,3\xa0%", "—", "Pas d’objectif", "1 sur 3"]
    assert shown("cout_par_personne") == ["40\xa0000\xa0€", "—", "Pas d’objectif", ""]
    assert rows["part_femmes"].th.get_text(" ", strip=True) == (
        "Part de femmes Part de femmes parmi les personnes entrées en formation."
    )
    # The met / missed icons are decoration: the words say it.
    assert rows["abandons"].find("svg")["aria-hidden"] == "true"


def test_each_outcome_rate_is_read_right_beside_its_response_rate(client, funder_a, agreement_a, cohort):
    client.force_login(funder_a)

    codes = list(indicator_rows(soup(client.get(dashboard_url(agreement_a)))))

    exit_at = codes.index("sorties_positives")
    six_at = codes.index("sorties_positives_6_mois")
    assert codes[exit_at + 1] == "taux_reponse_sortie"
    assert codes[six_at + 1] == "taux_reponse_6_mois"


def test_a_period_before_the_cohort_shows_nobody(client, funder_a, agreement_a, cohort):
    client.force_login(funder_a)
    before = cohort.start_date - datetime.timedelta(days=1)

    page = soup(client.get(dashboard_url(agreement_a, debut="2026-01-01", fin=before.isoformat())))

    rows = indicator_rows(page)
    assert cells(rows["candidats"])[1] == "0"
    assert cells(rows["part_femmes"])[1:4] == ["non calculable", "30\xa0%", "Pas encore mesurable"]


def test_every_chart_is_an_accessible_svg_followed_by_a_table_of_the_same_numbers(
    client, funder_a, agreement_a, cohort
):
    client.force_login(funder_a)

    page = soup(client.get(dashboard_url(agreement_a)))

    figures = page.select("figure.chart")
    assert [figure.figcaption.get_text(strip=True) for figure in figures] == [
        "Du dépôt de candidature à la certification (nombre de personnes)",
        "Profil des personnes entrées en formation, comparé aux objectifs (en %)",
        "Sorties positives à la sortie et à 6 mois, avec le taux de réponse (en %)",
    ]
    for figure in figures:
        svg = figure.find("svg")
        assert svg["role"] == "img"
        for label_id in svg["aria-labelledby"].split():
            assert svg.find(id=label_id) is not None
        table = figure.find("table")
        assert table.caption.get_text(strip=True)
        assert all(th["scope"] == "col" for th in table.thead.find_all("th"))
        assert all(row.th["scope"] == "row" for row in table.tbody.find_all("tr"))
        drawn = [(text.get_text(strip=True)) for text in svg.select("text.chart-value")]
        labels = [text.get_text(strip=True) for text in svg.select("text.chart-label")]
        tabled = [row.td.get_text(strip=True) for row in table.tbody.find_all("tr")]
        assert drawn == tabled
        assert [label.split(" · ")[0] for label in labels] == [
            row.th.get_text(strip=True) for row in table.tbody("tr")
        ]

    funnel, profile, outcomes = figures
    assert [cells(row) for row in funnel.table.tbody("tr")] == [
        ["Candidat·es", "4"],
        ["Admis·es", "3"],
        ["Entré·es en formation", "3"],
        ["Formation terminée", "2"],
        ["Certifié·es", "1"],
    ]
    assert cells(profile.table.tbody.tr) == ["Part de femmes", "66,7\xa0%", "30\xa0%"]
    assert profile.select("text.chart-label")[0].get_text(strip=True) == "Part de femmes · objectif 30\xa0%"
    assert len(profile.select("line.chart-target")) == 1
    assert [cells(row)[:2] for row in outcomes.table.tbody("tr")] == [
        ["Sorties positives à la sortie", "50\xa0%"],
        ["Taux de réponse à la sortie", "66,7\xa0%"],
        ["Sorties positives à 6 mois", "non calculable"],
        ["Taux de réponse à 6 mois", "non calculable"],
    ]
    # Response rates are drawn in their own colour, and named on the bar: colour is never the only cue.
    assert [rect["class"] for rect in outcomes.select("rect.chart-bar")] == [
        ["chart-bar"],
        ["chart-bar", "chart-bar-secondary"],
    ]


def test_bars_are_as_long_as_their_share(client, funder_a, agreement_a, cohort):
    client.force_login(funder_a)

    page = soup(client.get(dashboard_url(agreement_a)))

    funnel, profile, _ = page.select("figure.chart")
    # Counts run to the largest bar (4 applicants = 320 units); shares to 100 %.
    assert [rect["width"] for rect in funnel.select("rect.chart-bar")] == ["320", "240", "240", "160", "80"]
    women_bar = profile.select("rect.chart-bar")[0]
    assert women_bar["width"] == "213.4"
    assert profile.select("line.chart-target")[0]["x1"] == "96"


def test_esf_table_gives_totals_by_gender_or_why_it_is_not_collected(client, funder_a, agreement_a, cohort):
    client.force_login(funder_a)

    page = soup(client.get(dashboard_url(agreement_a)))

    esf = {row["id"].removeprefix("fse-"): cells(row) for row in page.select("table.esf tbody tr")}
    assert esf["EECO01"] == ["EECO01", esf["EECO01"][1], "3", "2", "1"]
    assert esf["EECO15"][2].startswith("Non collecté : ")
    assert [table.caption.get_text(strip=True) for table in page.select("table.esf")] == [
        "Indicateurs de réalisation",
        "Indicateurs de résultat",
    ]


def test_the_participant_file_is_said_pseudonymised_or_named_for_consenting_people(client, funder_a, agreement_a):
    client.force_login(funder_a)

    pseudonymised = soup(client.get(dashboard_url(agreement_a))).find(id="telechargements-titre").parent.get_text()
    agreement_a.requires_named_data = True
    agreement_a.save()
    named = soup(client.get(dashboard_url(agreement_a))).find(id="telechargements-titre").parent.get_text()

    assert "Le fichier des participant·es est pseudonymisé" in pseudonymised
    assert "donne le nom des personnes entrées en formation qui ont accepté de le transmettre" in named
    for text in (pseudonymised, named):
        assert "couvre au moins 5 personnes" in " ".join(text.split())


def test_the_dashboard_costs_the_same_queries_for_3_or_30_participants(
    client, funder_a, agreement_a, campus, django_assert_max_num_queries
):
    client.force_login(funder_a)
    session = SessionFactory(formation=FormationPageFactory(parent=campus), start_date=datetime.date(2026, 3, 2))
    today = timezone.localdate()

    def add(count):
        for index in range(count):
            application = ApplicationFactory(
                session=session,
                status=[Status.CERTIFIED, Status.DROPPED_OUT, Status.IN_TRAINING][index % 3],
                left_on=today if index % 3 < 2 else None,
            )
            if index % 3 == 0:
                FollowUpFactory(application=application)

    add(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(dashboard_url(agreement_a)).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(dashboard_url(agreement_a))
    assert cells(indicator_rows(soup(response))["candidats"])[1] == "30"


def test_header_names_the_formations_and_sessions_an_agreement_is_limited_to(client, campus):
    formation = FormationPageFactory(parent=campus, title="Développeur·se web")
    session = SessionFactory(
        formation=formation, start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 6, 26)
    )
    agreement = AgreementFactory(campuses=[campus], formations=[formation], sessions=[session])
    user = funder_user(agreement.funder)
    client.force_login(user)

    page = soup(client.get(dashboard_url(agreement)))

    facts = dict(
        zip(
            [dt.get_text(strip=True) for dt in page.select("dl.key-facts dt")],
            [dd.get_text(" ", strip=True) for dd in page.select("dl.key-facts dd")],
            strict=True,
        )
    )
    assert facts["Formations"] == "Développeur·se web"
    assert facts["Sessions"] == "Développeur·se web, du 02/03/2026 au 26/06/2026"
