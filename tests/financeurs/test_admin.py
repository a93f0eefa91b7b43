"""Funders and agreements in the admin: each team manages the agreements of its own campuses only."""

import pytest
from django.urls import reverse

from financeurs.enums import FunderKind
from financeurs.models import Agreement, IndicatorTarget
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.factories import AgreementFactory, FunderFactory
from tests.formations.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campus_a():
    return CampusPageFactory(title="Campus d’Aubervilliers")


@pytest.fixture
def campus_b():
    return CampusPageFactory(title="Campus de Clichy-sous-Bois")


@pytest.fixture
def staff_a(client, campus_a):
    user = UserFactory(staff_of=campus_a)
    client.force_login(user)
    return user


def agreement_form(funder, campuses, **overrides):
    data = {
        "reference": "REG-IDF-2026-014",
        "funder": funder.pk,
        "title": "Parcours numérique des quartiers",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "amount": "84000.00",
        "seats_funded": "24",
        "campuses": [campus.pk for campus in campuses],
        "requires_named_data": "",
        "notes": "",
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
        "targets-0-indicator": "sorties_positives_6_mois",
        "targets-0-value": "60",
        "targets-0-ORDER": "1",
        "targets-0-DELETE": "",
        "targets-0-id": "",
        "targets-1-indicator": "part_femmes",
        "targets-1-value": "30",
        "targets-1-ORDER": "2",
        "targets-1-DELETE": "",
        "targets-1-id": "",
    }
    data.update(overrides)
    return data


def test_staff_create_an_agreement_for_their_campus_with_its_targets(client, staff_a, campus_a):
    funder = FunderFactory(name="Région Île-de-France", kind=FunderKind.REGION)

    response = client.post(reverse("conventions_admin:add"), agreement_form(funder, [campus_a]))

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    agreement = Agreement.objects.get(reference="REG-IDF-2026-014")
    assert list(agreement.campuses.all()) == [campus_a]
    assert dict(IndicatorTarget.objects.filter(agreement=agreement).values_list("indicator", "value")) == {
        "sorties_positives_6_mois": 60,
        "part_femmes": 30,
    }


def test_staff_cannot_put_another_campus_in_an_agreement(client, staff_a, campus_a, campus_b):
    funder = FunderFactory()

    response = client.post(reverse("conventions_admin:add"), agreement_form(funder, [campus_a, campus_b]))

    assert response.status_code == 200
    assert "campuses" in response.context["form"].errors
    assert not Agreement.objects.exists()


def test_sessions_must_belong_to_the_chosen_campuses(client, staff_a, campus_a):
    other_session = SessionFactory()
    own_session = SessionFactory(campus=campus_a, formation__parent=campus_a)
    funder = FunderFactory()
    staff_a.groups.add(other_session.campus.staff_group)

    response = client.post(
        reverse("conventions_admin:add"),
        agreement_form(funder, [campus_a], sessions=[own_session.pk, other_session.pk]),
    )

    assert response.status_code == 200
    assert "ne relèvent pas des campus" in str(response.context["form"].errors["sessions"])


def test_the_end_of_an_agreement_comes_after_its_start(client, staff_a, campus_a):
    response = client.post(
        reverse("conventions_admin:add"),
        agreement_form(FunderFactory(), [campus_a], start_date="2026-12-31", end_date="2026-01-01"),
    )

    assert response.status_code == 200
    assert "La fin de la période doit venir après son début." in str(response.context["form"].errors)


def test_staff_see_only_agreements_covering_their_campus(client, staff_a, campus_a, campus_b):
    own = AgreementFactory(campuses=[campus_a], title="Convention du campus A")
    AgreementFactory(campuses=[campus_b], title="Convention du campus B")

    response = client.get(reverse("conventions_admin:index"))

    assert response.status_code == 200
    assert [agreement.pk for agreement in response.context["object_list"]] == [own.pk]
    assert "Convention du campus B" not in response.content.decode()


def test_another_campus_agreement_is_not_found(client, staff_a, campus_b):
    foreign = AgreementFactory(campuses=[campus_b])

    assert client.get(reverse("conventions_admin:edit", args=[foreign.pk])).status_code == 404
    for view in ("inspect", "history", "usage"):
        assert client.get(reverse(f"conventions_admin:{view}", args=[foreign.pk])).status_code == 404, view
    assert client.post(reverse("conventions_admin:delete", args=[foreign.pk])).status_code == 404
    assert Agreement.objects.filter(pk=foreign.pk).exists()


def test_an_agreement_shared_with_another_campus_is_read_only(client, staff_a, campus_a, campus_b):
    shared = AgreementFactory(campuses=[campus_a, campus_b], title="Convention partagée")

    assert client.get(reverse("conventions_admin:inspect", args=[shared.pk])).status_code == 200
    response = client.post(
        reverse("conventions_admin:edit", args=[shared.pk]),
        agreement_form(shared.funder, [campus_a], reference=shared.reference),
    )

    assert response.status_code in (302, 403)
    assert set(shared.campuses.all()) == {campus_a, campus_b}


def test_only_superusers_choose_who_reads_a_funders_figures(client, staff_a):
    funder = FunderFactory()

    staff_form = client.get(reverse("financeurs_admin:edit", args=[funder.pk])).context["form"]
    assert "members" not in staff_form.fields

    client.force_login(UserFactory(superuser=True))
    admin_form = client.get(reverse("financeurs_admin:edit", args=[funder.pk])).context["form"]
    assert "members" in admin_form.fields


def test_staff_cannot_delete_a_funder(client, staff_a):
    funder = FunderFactory()

    client.post(reverse("financeurs_admin:delete", args=[funder.pk]))

    assert type(funder).objects.filter(pk=funder.pk).exists()


def test_a_funder_of_another_campus_agreement_cannot_be_renamed_by_a_team(client, staff_a, campus_a, campus_b):
    shared = FunderFactory(name="Région Île-de-France")
    AgreementFactory(funder=shared, campuses=[campus_a])
    AgreementFactory(funder=shared, campuses=[campus_b])

    response = client.post(reverse("financeurs_admin:edit", args=[shared.pk]), {"name": "Renommé", "kind": "region"})

    assert response.status_code in (302, 403)
    shared.refresh_from_db()
    assert shared.name == "Région Île-de-France"


def test_a_funder_of_the_campus_own_agreements_only_can_be_renamed_by_its_team(client, staff_a, campus_a):
    own = FunderFactory(name="Fondation locale", kind=FunderKind.FOUNDATION)
    AgreementFactory(funder=own, campuses=[campus_a])

    response = client.post(
        reverse("financeurs_admin:edit", args=[own.pk]), {"name": "Fondation du quartier", "kind": own.kind}
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Fondation du quartier"
