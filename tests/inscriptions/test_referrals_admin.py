"""Partners' referrals in the back office: each team sees and keeps its own campus's list only."""

import datetime

import pytest
from django.urls import reverse

from inscriptions.models import Referral
from tests.campus.factories import CampusPageFactory, UserFactory

pytestmark = pytest.mark.django_db


def referral(campus, **fields):
    values = {
        "campus": campus,
        "partner_name": "Mission Locale d’Aubervilliers",
        "first_name": "Samir",
        "last_name": "Belkacem",
        "email": f"samir.{campus.pk}@exemple.fr",
        "referred_on": datetime.date(2026, 11, 2),
    }
    values.update(fields)
    return Referral.objects.create(**values)


def test_staff_see_the_referrals_of_their_campus_only(client):
    campus_a, campus_b = CampusPageFactory(), CampusPageFactory()
    own = referral(campus_a)
    foreign = referral(campus_b, first_name="Jade", last_name="Lopes")
    client.force_login(UserFactory(staff_of=campus_a))

    response = client.get(reverse("referrals_admin:index"))

    assert [row.pk for row in response.context["object_list"]] == [own.pk]
    assert "Lopes" not in response.content.decode()
    for view in ("edit", "delete", "history", "usage"):
        assert client.get(reverse(f"referrals_admin:{view}", args=[foreign.pk])).status_code == 404, view


def test_staff_cannot_move_a_referral_to_another_campus(client):
    campus_a, campus_b = CampusPageFactory(), CampusPageFactory()
    own = referral(campus_a)
    client.force_login(UserFactory(staff_of=campus_a))

    response = client.post(
        reverse("referrals_admin:edit", args=[own.pk]),
        {
            "campus": campus_b.pk,
            "referred_on": "2026-11-02",
            "partner_kind": "mission_locale",
            "partner_name": "Mission Locale",
            "adviser": "",
            "first_name": "Samir",
            "last_name": "Belkacem",
            "email": own.email,
            "phone": "",
            "birth_date": "",
            "postcode": "",
            "formation": "",
        },
    )

    assert response.status_code == 200
    assert "campus" in response.context["form"].errors
    own.refresh_from_db()
    assert own.campus == campus_a


def test_someone_outside_any_campus_team_sees_no_referral(client):
    referral(CampusPageFactory())
    client.force_login(UserFactory())

    assert client.get(reverse("referrals_admin:index")).status_code in (302, 403)
