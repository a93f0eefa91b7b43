"""The schema.org Course markup of a formation page: what course rich results require, and safe to embed."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from formations.enums import CertificationLevel, Format, Schedule
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import CertificationFactory, FormationPageFactory, RomeCodeFactory, SessionFactory

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def structured_data(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    blocks = JSON_LD.findall(response.content.decode())
    assert len(blocks) == 1
    return json.loads(blocks[0])


@pytest.fixture
def campus(home_page):
    return CampusPageFactory(
        title="Campus numérique de Vaulx-en-Velin",
        street_address="5 avenue Gabriel Péri",
        postcode="69120",
        commune="Vaulx-en-Velin",
    )


@pytest.fixture
def formation(campus):
    return FormationPageFactory(
        parent=campus,
        title="Développeur web et web mobile",
        summary="Apprendre à créer des sites et des applications web.",
        duration_hours=800,
        format=Format.ON_SITE,
        certification=CertificationFactory(
            code="RNCP37674", title="Développeur web et web mobile", level=CertificationLevel.LEVEL_5
        ),
    )


def test_formation_page_describes_a_course_with_what_rich_results_require(client, campus, formation):
    SessionFactory(formation=formation)

    data = structured_data(client, formation)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Course"
    assert data["name"] == "Développeur web et web mobile"
    assert data["description"] == "Apprendre à créer des sites et des applications web."
    assert data["provider"] == {
        "@type": "Organization",
        "name": "Campus numérique de Vaulx-en-Velin",
        "url": campus.full_url,
    }
    assert data["offers"]["@type"] == "Offer"
    assert len(data["hasCourseInstance"]) == 1
    assert data["url"] == formation.full_url


def test_course_names_the_rncp_certification_it_prepares(client, formation):
    data = structured_data(client, formation)

    credential = data["educationalCredentialAwarded"]
    assert credential["@type"] == "EducationalOccupationalCredential"
    assert credential["identifier"] == "RNCP37674"
    assert credential["name"] == "Développeur web et web mobile"
    assert credential["credentialCategory"] == "Certification"
    assert credential["url"] == "https://www.francecompetences.fr/recherche/rncp/37674/"
    assert credential["educationalLevel"] == "Niveau 5 (bac+2)"
    assert data["courseCode"] == "RNCP37674"


def test_course_without_certification_awards_no_credential(client, campus):
    formation = FormationPageFactory(parent=campus, certification=None)

    data = structured_data(client, formation)

    assert "educationalCredentialAwarded" not in data


@pytest.mark.parametrize(
    ("price_cents", "category", "shown_price"),
    [(0, "Free", "0.00"), (129000, "Paid", "1290.00"), (4990, "Paid", "49.90")],
)
def test_course_offer_says_what_its_sessions_cost(client, campus, price_cents, category, shown_price):
    formation = FormationPageFactory(parent=campus)
    SessionFactory(formation=formation, price_cents=price_cents)

    data = structured_data(client, formation)

    for offer in (data["offers"], data["hasCourseInstance"][0]["offers"]):
        assert offer["@type"] == "Offer"
        assert offer["category"] == category
        assert offer["price"] == shown_price
        assert offer["priceCurrency"] == "EUR"


@pytest.mark.parametrize(("lowest", "category"), [(0, "Partially Free"), (5000, "Paid")])
def test_sessions_at_different_prices_give_the_lowest_and_the_highest(client, campus, lowest, category):
    formation = FormationPageFactory(parent=campus)
    SessionFactory(formation=formation, price_cents=lowest, start_date=in_days(10), end_date=in_days(40))
    SessionFactory(formation=formation, price_cents=12000, start_date=in_days(50), end_date=in_days(80))
    SessionFactory(formation=formation, price_cents=99900, past=True)

    data = structured_data(client, formation)

    assert data["offers"] == {
        "@type": "AggregateOffer",
        "category": category,
        "lowPrice": f"{lowest / 100:.2f}",
        "highPrice": "120.00",
        "priceCurrency": "EUR",
        "url": formation.get_full_url(),
    }
    assert [instance["offers"]["price"] for instance in data["hasCourseInstance"]] == [f"{lowest / 100:.2f}", "120.00"]


def test_a_formation_without_upcoming_session_announces_no_price(client, campus):
    formation = FormationPageFactory(parent=campus)
    SessionFactory(formation=formation, price_cents=5000, past=True)

    assert "offers" not in structured_data(client, formation)


def test_course_has_one_instance_per_upcoming_session(client, formation):
    SessionFactory(formation=formation, start_date=in_days(60), end_date=in_days(150))
    SessionFactory(formation=formation, start_date=in_days(10), end_date=in_days(100), schedule=Schedule.PART_TIME)
    SessionFactory(formation=formation, start_date=in_days(-20), end_date=in_days(70))

    data = structured_data(client, formation)

    instances = data["hasCourseInstance"]
    assert [(instance["startDate"], instance["endDate"]) for instance in instances] == [
        (in_days(10).isoformat(), in_days(100).isoformat()),
        (in_days(60).isoformat(), in_days(150).isoformat()),
    ]
    assert [instance["courseMode"] for instance in instances] == [["onsite", "part-time"], ["onsite", "full-time"]]
    for instance in instances:
        assert instance["@type"] == "CourseInstance"
        assert instance["courseWorkload"] == "PT800H"
        assert instance["location"]["address"] == {
            "@type": "PostalAddress",
            "streetAddress": "5 avenue Gabriel Péri",
            "postalCode": "69120",
            "addressLocality": "Vaulx-en-Velin",
            "addressCountry": "FR",
        }


def test_course_without_upcoming_session_has_no_instance(client, formation):
    SessionFactory(formation=formation, past=True)

    assert structured_data(client, formation)["hasCourseInstance"] == []


@pytest.mark.parametrize(
    ("format", "course_mode"),
    [(Format.ON_SITE, "onsite"), (Format.REMOTE, "online"), (Format.HYBRID, "blended")],
)
def test_course_instance_mode_follows_the_formation_format(client, campus, format, course_mode):
    formation = FormationPageFactory(parent=campus, format=format)
    SessionFactory(formation=formation)

    (instance,) = structured_data(client, formation)["hasCourseInstance"]

    assert instance["courseMode"][0] == course_mode


def test_course_instance_gives_the_seats_left(client, formation):
    SessionFactory(formation=formation, capacity=15, seats_taken=11)

    (instance,) = structured_data(client, formation)["hasCourseInstance"]

    assert instance["maximumAttendeeCapacity"] == 15
    assert instance["remainingAttendeeCapacity"] == 4


def test_course_teaches_the_target_jobs(client, campus):
    formation = FormationPageFactory(
        parent=campus, target_jobs=[RomeCodeFactory(code="M1855", label="Développeur / Développeuse web")]
    )

    data = structured_data(client, formation)

    assert data["teaches"] == [
        {
            "@type": "DefinedTerm",
            "name": "Développeur / Développeuse web",
            "termCode": "M1855",
            "inDefinedTermSet": "ROME",
        }
    ]


@pytest.mark.parametrize(
    "title",
    [
        'Pirate </script><script>alert("titre")</script>',
        "Pirate </SCRIPT ><img src=x onerror=alert(1)>",
        "Pirate <!-- <script> & co",
    ],
)
def test_a_title_cannot_break_out_of_the_script_block(client, campus, title):
    formation = FormationPageFactory(parent=campus, title=title, summary="</script>")
    SessionFactory(formation=formation)

    response = client.get(formation.url)

    content = response.content.decode()
    assert content.lower().count("<script") == 1
    assert content.lower().count("</script") == 1
    block = JSON_LD.search(content).group(1)
    assert "<" not in block
    assert ">" not in block
    assert json.loads(block)["name"] == title
