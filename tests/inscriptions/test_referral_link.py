"""A referred young person who makes a profile is linked to the partner's referral."""

import datetime

import pytest

from inscriptions.models import Referral
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.inscriptions.factories import LearnerFactory

pytestmark = pytest.mark.django_db


def test_a_profile_made_with_the_referred_email_links_the_referral():
    referral = Referral.objects.create(
        campus=CampusPageFactory(),
        partner_name="Mission Locale de Roubaix",
        first_name="Jade",
        last_name="Lopes",
        email="Jade.Lopes@exemple.fr",
        referred_on=datetime.date(2026, 11, 2),
    )
    other = Referral.objects.create(
        campus=referral.campus,
        partner_name="Mission Locale de Roubaix",
        first_name="Ousmane",
        last_name="Sy",
        email="ousmane.sy@exemple.fr",
        referred_on=datetime.date(2026, 11, 2),
    )

    learner = LearnerFactory(user=UserFactory(email="jade.lopes@exemple.fr"))

    referral.refresh_from_db()
    other.refresh_from_db()
    assert referral.learner == learner
    assert other.learner is None
