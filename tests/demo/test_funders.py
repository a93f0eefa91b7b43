"""The demo gives each kind of funder an agreement with targets, and an account that lands on its space."""

import pytest
from django.core.management import call_command

from financeurs.models import Agreement, Funder, IndicatorTarget
from inscriptions.models import Referral

# The demo is seeded as on a fresh install, not over the home page the other tests share.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_install")]


def test_the_demo_seeds_funders_agreements_and_referrals_once():
    call_command("seed_demo", verbosity=0)
    counts = (
        Funder.objects.count(),
        Agreement.objects.count(),
        IndicatorTarget.objects.count(),
        Referral.objects.count(),
    )
    call_command("seed_demo", verbosity=0)

    assert (
        Funder.objects.count(),
        Agreement.objects.count(),
        IndicatorTarget.objects.count(),
        Referral.objects.count(),
    ) == counts
    assert counts[0] == 3
    for agreement in Agreement.objects.all():
        assert agreement.campuses.exists()
        assert agreement.targets.exists()
        assert agreement.funder.members.exists()
    # The ESF+ agreement asks for named data, so the demo shows both kinds of participant file.
    assert Agreement.objects.filter(requires_named_data=True).exists()


def test_a_demo_funder_signs_in_and_lands_on_the_funders_space(client):
    call_command("seed_demo", verbosity=0)

    response = client.post(
        "/comptes/login/", {"login": "financeur.region@exemple.fr", "password": "tremplin-demo"}, follow=False
    )

    assert response.status_code == 302
    assert response["Location"] == "/financeurs/"


def test_my_space_of_a_funder_account_is_the_funders_portal(client):
    call_command("seed_demo", verbosity=0)
    client.force_login(Funder.objects.get(name="Région Île-de-France").members.get())

    response = client.get("/mon-espace/")

    assert response.status_code == 302
    assert response["Location"] == "/financeurs/"
