"""The LHEO 2.3 feed: the open offers as regional catalogues and France Travail read them, valid against the schema."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from formations.enums import CertificationLevel, EntryLevel, FeeKind, Format, Repertoire, Schedule
from formations.models import Session
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import (
    CertificationFactory,
    DomainFactory,
    FormationPageFactory,
    RomeCodeFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "lheo"
NS = {"l": "http://lheo.gouv.fr/2.3"}
FEED_URL = "/formations/lheo.xml"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(DATA / "lheo-2.3.xsd")))


def today():
    return timezone.localdate()


@pytest.fixture
def catalogue(home_page):
    """Two campuses, certifying and non-certifying formations, free, paid and deposit sessions, closed ones."""
    aubervilliers = CampusPageFactory(
        title="Campus Aubervilliers",
        street_address="12 rue du Landy",
        postcode="93300",
        commune="Aubervilliers",
        insee_code="93001",
        phone="01 23 45 67 89",
        email="aubervilliers@campus.example",
        accessibility="<p>Accès de plain-pied, ascenseur.</p>",
    )
    roubaix = CampusPageFactory(
        title="Campus Roubaix",
        street_address="Centre d'affaires de l'Union, bâtiment B, 3e étage, 40 boulevard de Strasbourg",
        postcode="59100",
        commune="Roubaix",
        insee_code="59512",
        latitude=None,
        longitude=None,
        email="",
    )
    web = FormationPageFactory(
        parent=aubervilliers,
        title="Développeur web et web mobile",
        summary="Apprendre à créer des sites et des applications web.",
        prerequisites="Savoir lire et écrire le français.",
        entry_level=EntryLevel.LEVEL_3,
        format=Format.HYBRID,
        duration_hours=800,
        domain=DomainFactory(formacode="31090", label="Développement web"),
        certification=CertificationFactory(
            code="RNCP37674", repertoire=Repertoire.RNCP, title="Développeur web", level=CertificationLevel.LEVEL_5
        ),
        target_jobs=[RomeCodeFactory(code="M1805", label="Études et développement informatique")],
        accessibility_referent_name="Samia B.",
        accessibility_referent_email="handicap@campus.example",
        body=[
            {
                "type": "module",
                "value": {"title": "HTML et CSS", "hours": 35, "description": "<p>Une page lisible.</p>"},
            }
        ],
    )
    cyber = FormationPageFactory(
        parent=roubaix,
        title="Les bases de la cybersécurité",
        format=Format.REMOTE,
        certification=CertificationFactory(code="RS5568", repertoire=Repertoire.RS, title="Cybersécurité", level=None),
    )
    discovery = FormationPageFactory(parent=roubaix, title="Découvrir le numérique", format=Format.ON_SITE)
    draft = FormationPageFactory(parent=aubervilliers, title="Formation en brouillon", draft=True)
    closed = FormationPageFactory(parent=aubervilliers, title="Formation sans session ouverte")
    sessions = {
        "web_free": SessionFactory(formation=web, price_cents=0),
        "web_free_later": SessionFactory(formation=web, price_cents=0, start_date=today() + datetime.timedelta(60)),
        "web_paid_part_time": SessionFactory(
            formation=web,
            price_cents=129000,
            schedule=Schedule.PART_TIME,
            schedule_details="Le lundi et le mardi",
            venue_address="5 rue Réaumur, 93300 Aubervilliers",
        ),
        "web_closed": SessionFactory(formation=web, closed=True),
        "web_full": SessionFactory(formation=web, full=True),
        "web_deadline_passed": SessionFactory(formation=web, deadline_passed=True),
        "cyber_deposit": SessionFactory(formation=cyber, price_cents=5000, fee_kind=FeeKind.DEPOSIT),
        "discovery": SessionFactory(formation=discovery, venue_address="Dans la salle des fêtes de la mairie"),
        "draft": SessionFactory(formation=draft),
        "closed": SessionFactory(formation=closed, closed=True),
    }
    return {"web": web, "cyber": cyber, "discovery": discovery, "draft": draft, "closed": closed, **sessions}


def feed(client):
    response = client.get(FEED_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return etree.fromstring(response.content)


def formation_named(document, title):
    found = document.xpath("//l:formation[l:intitule-formation=$title]", namespaces=NS, title=title)
    assert len(found) == 1, f"{title!r} is listed {len(found)} times"
    return found[0]


def texts(element, path):
    return [node.text for node in element.xpath(path, namespaces=NS)]


def test_the_schema_accepts_a_real_lheo_document(schema):
    schema.assertValid(etree.parse(str(DATA / "sample-lheo-2.3nsfix-onisep-bts.xml")))


def test_the_feed_of_a_realistic_catalogue_is_valid_lheo_2_3(client, catalogue, schema):
    schema.assertValid(feed(client))


def test_only_live_formations_with_an_open_session_are_listed(client, catalogue):
    titles = texts(feed(client), "//l:formation/l:intitule-formation")

    assert sorted(titles) == [
        "Découvrir le numérique",
        "Développeur web et web mobile",
        "Les bases de la cybersécurité",
    ]


def test_only_open_sessions_are_listed(client, catalogue):
    web = formation_named(feed(client), "Développeur web et web mobile")

    listed = {session.get("numero") for session in web.xpath(".//l:session", namespaces=NS)}
    expected = {f"session-{catalogue[name].pk}" for name in ("web_free", "web_free_later", "web_paid_part_time")}
    assert listed == expected
    assert set(texts(web, ".//l:session/l:etat-recrutement")) == {"1"}


def test_sessions_with_the_same_conditions_share_an_action(client, catalogue):
    web = formation_named(feed(client), "Développeur web et web mobile")

    actions = web.xpath("l:action", namespaces=NS)
    sessions_per_action = sorted(len(action.xpath("l:session", namespaces=NS)) for action in actions)
    assert sessions_per_action == [1, 2]
    part_time = web.xpath(
        "l:action[l:session/@numero=$numero]", namespaces=NS, numero=f"session-{catalogue['web_paid_part_time'].pk}"
    )[0]
    assert texts(part_time, "l:rythme-formation") == ["Temps partiel : Le lundi et le mardi"]
    assert texts(part_time, "l:prix-total-TTC") == ["1290.00"]
    assert texts(part_time, "l:lieu-de-formation//l:ligne") == ["5 rue Réaumur"]
    assert texts(part_time, "l:lieu-de-formation//l:codepostal") == ["93300"]
    full_time = next(action for action in actions if action is not part_time)
    assert texts(full_time, "l:prix-total-TTC") == ["0.00"]
    assert texts(full_time, "l:lieu-de-formation//l:ligne") == ["12 rue du Landy"]


def test_the_formation_carries_its_codes_certification_and_levels(client, catalogue):
    web = formation_named(feed(client), "Développeur web et web mobile")

    assert texts(web, "l:domaine-formation/l:code-FORMACODE") == ["31090"]
    assert texts(web, "l:domaine-formation/l:code-ROME") == ["M1805"]
    assert texts(web, "l:certifiante") == ["1"]
    assert texts(web, "l:certification/l:code-RNCP") == ["37674"]
    assert texts(web, "l:code-niveau-sortie") == ["15"]
    assert texts(web, "l:code-niveau-entree") == ["13"]
    assert texts(web, "l:objectif-general-formation") == ["6"]
    assert texts(web, "l:objectif-formation") == ["Apprendre à créer des sites et des applications web."]
    assert texts(web, "l:contenu-formation") == ["HTML et CSS (35 h) : Une page lisible."]
    assert texts(web, "l:action/l:conditions-specifiques") == ["Savoir lire et écrire le français."] * 2
    assert texts(web, "l:action/l:modalites-enseignement") == ["1"] * 2
    assert texts(web, "l:action/l:niveau-entree-obligatoire") == ["1"] * 2
    assert texts(web, "l:action/l:nombre-heures-total") == ["800"] * 2
    cyber = formation_named(feed(client), "Les bases de la cybersécurité")
    assert texts(cyber, "l:certification/l:code-RS") == ["5568"]
    assert texts(cyber, "l:code-niveau-sortie") == []
    assert texts(cyber, "l:action/l:modalites-enseignement") == ["2"]
    discovery = formation_named(feed(client), "Découvrir le numérique")
    assert texts(discovery, "l:certifiante") == ["0"]
    assert texts(discovery, "l:certification") == []
    assert texts(discovery, "l:code-niveau-entree") == ["1"]
    assert texts(discovery, "l:objectif-general-formation") == ["7"]


def test_dates_contacts_and_addresses_come_from_the_session_and_the_campus(client, catalogue):
    web = formation_named(feed(client), "Développeur web et web mobile")
    session = catalogue["web_free"]
    element = web.xpath(".//l:session[@numero=$numero]", namespaces=NS, numero=f"session-{session.pk}")[0]

    assert texts(element, "l:periode/l:debut") == [session.start_date.strftime("%Y%m%d")]
    assert texts(element, "l:periode/l:fin") == [session.end_date.strftime("%Y%m%d")]
    assert texts(element, "l:periode-inscription/l:periode/l:fin") == [session.application_deadline.strftime("%Y%m%d")]
    assert texts(element, "l:adresse-inscription//l:code-INSEE-commune") == ["93001"]
    assert texts(element, "l:url-session/l:urlweb") == [
        f"http://testserver/inscriptions/sessions/{session.pk}/postuler/"
    ]
    assert texts(web, "l:url-formation/l:urlweb") == [f"http://testserver{catalogue['web'].url}"]
    reception, referent = web.xpath("l:contact-formation", namespaces=NS)
    assert texts(reception, "l:type-contact") == ["4"]
    assert texts(reception, "l:coordonnees/l:courriel") == ["aubervilliers@campus.example"]
    assert texts(reception, "l:coordonnees/l:telfixe/l:numtel") == ["01 23 45 67 89"]
    assert texts(reception, "l:coordonnees/l:adresse/l:departement") == ["93"]
    assert texts(reception, "l:coordonnees/l:adresse/l:geolocalisation/l:latitude") == ["48.914600"]
    assert texts(referent, "l:type-contact") == ["1"]
    assert texts(referent, "l:coordonnees/l:nom") == ["Samia B."]
    assert texts(referent, "l:coordonnees/l:courriel") == ["handicap@campus.example"]
    assert texts(web, "l:action/l:acces-handicapes") == ["Accès de plain-pied, ascenseur."] * 2
    assert texts(web, "l:organisme-formation-responsable/l:SIRET-organisme-formation/l:SIRET") == ["00000000000093"]


def test_a_long_street_address_is_cut_in_lines_the_schema_accepts(client, catalogue):
    discovery = formation_named(feed(client), "Découvrir le numérique")

    lines = texts(discovery, "l:contact-formation/l:coordonnees/l:adresse/l:ligne")
    assert " ".join(lines) == "Centre d'affaires de l'Union, bâtiment B, 3e étage, 40 boulevard de Strasbourg"
    assert all(len(line) <= 50 for line in lines)


def test_a_place_that_does_not_read_as_an_address_is_left_out_rather_than_guessed(client, catalogue):
    discovery = formation_named(feed(client), "Découvrir le numérique")

    assert discovery.xpath("l:action/l:lieu-de-formation", namespaces=NS) == []
    assert texts(discovery, ".//l:session/l:adresse-inscription//l:ville") == ["Roubaix"]


def test_a_refundable_deposit_is_not_a_price(client, catalogue):
    cyber = formation_named(feed(client), "Les bases de la cybersécurité")

    assert texts(cyber, "l:action/l:prix-total-TTC") == []
    assert texts(cyber, "l:action/l:frais-restants") == ["Caution de 50 €, rendue après la formation"]


def test_the_number_of_queries_does_not_grow_with_the_catalogue(client, home_page):
    def queries_for(formations):
        for _ in range(formations):
            campus = CampusPageFactory()
            formation = FormationPageFactory(
                parent=campus,
                domain=DomainFactory(),
                certification=CertificationFactory(),
                target_jobs=[RomeCodeFactory(), RomeCodeFactory()],
            )
            SessionFactory(formation=formation)
            SessionFactory(formation=formation, price_cents=10000)
        with CaptureQueriesContext(connection) as queries:
            client.get(FEED_URL)
        return len(queries)

    queries_for(1)  # warms the site root paths' cache
    few = queries_for(2)
    many = queries_for(10)

    assert few == many


def test_the_command_writes_the_document_the_address_serves(client, catalogue, tmp_path, schema):
    path = tmp_path / "lheo.xml"

    output = io.StringIO()
    call_command("export_lheo", str(path), stdout=output)

    assert path.read_bytes() == client.get(FEED_URL).content
    schema.assertValid(etree.parse(str(path)))


def test_more_than_five_target_jobs_keep_the_first_five_by_code(client, home_page, schema):
    jobs = [RomeCodeFactory(code=f"M18{n:02d}") for n in range(7, 0, -1)]
    formation = FormationPageFactory(title="Sept métiers", target_jobs=jobs)
    SessionFactory(formation=formation)

    document = feed(client)

    assert texts(document, "//l:code-ROME") == ["M1801", "M1802", "M1803", "M1804", "M1805"]
    schema.assertValid(document)


def test_without_any_open_session_the_feed_lists_no_offer(client, catalogue):
    for session in Session.objects.all():
        session.applications_open = False
        session.save()

    document = feed(client)

    assert document.xpath("/l:lheo/l:offres/*", namespaces=NS) == []


def test_actions_come_in_the_order_of_their_first_session(client, catalogue):
    web = formation_named(feed(client), "Développeur web et web mobile")

    first_sessions = [
        action.xpath("l:session[1]/@numero", namespaces=NS)[0] for action in web.xpath("l:action", namespaces=NS)
    ]

    assert first_sessions == [f"session-{catalogue['web_free'].pk}", f"session-{catalogue['web_paid_part_time'].pk}"]


def test_an_email_address_longer_than_lheo_allows_is_left_out_not_cut(client, home_page, schema):
    campus = CampusPageFactory(email=f"{'a' * 150}@campus.example")
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Adresse longue"))

    document = feed(client)

    assert texts(formation_named(document, "Adresse longue"), "l:contact-formation//l:courriel") == []
    schema.assertValid(document)
