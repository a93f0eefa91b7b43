"""A referred young person who makes a profile is linked to the partner's referral."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import GuardianConsentMethod
from inscriptions.models import Learner, Referral
from inscriptions.services import link_referrals, record_guardian_consent
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import LearnerFactory, learner_profile_data

pytestmark = pytest.mark.django_db


def referral(email, campus=None, first_name="Jade"):
    return Referral.objects.create(
        campus=campus or CampusPageFactory(),
        partner_name="Mission Locale de Roubaix",
        first_name=first_name,
        last_name="Lopes",
        email=email,
        referred_on=datetime.date(2026, 11, 2),
    )


def test_a_profile_made_with_the_referred_email_links_the_referral(client):
    jade = referral("Jade.Lopes@exemple.fr")
    other = referral("ousmane.sy@exemple.fr", campus=jade.campus, first_name="Ousmane")
    user = UserFactory(email="jade.lopes@exemple.fr")
    client.force_login(user)

    response = client.post(reverse("inscriptions:postuler", args=[SessionFactory().pk]), learner_profile_data())

    assert response.status_code == 302
    jade.refresh_from_db()
    other.refresh_from_db()
    assert jade.learner == Learner.objects.get(user=user)
    assert other.learner is None


def test_a_learner_saving_their_profile_again_picks_up_a_referral_made_since(client):
    learner = LearnerFactory(user=UserFactory(email="jade.lopes@exemple.fr"))
    jade = referral("jade.lopes@exemple.fr")
    client.force_login(learner.user)

    response = client.post(reverse("inscriptions:profil"), learner_profile_data())

    assert response.status_code == 302
    jade.refresh_from_db()
    assert jade.learner == learner


def test_a_referral_already_linked_or_an_erased_learner_is_left_alone():
    first = LearnerFactory(user=UserFactory(email="jade.lopes@exemple.fr"))
    jade = referral("jade.lopes@exemple.fr")
    assert link_referrals(first) == 1
    second = LearnerFactory(user=UserFactory(email="JADE.LOPES@exemple.fr"))
    erased = LearnerFactory(user=UserFactory(email="ousmane.sy@exemple.fr"), anonymised_at=timezone.now())
    ousmane = referral("ousmane.sy@exemple.fr", first_name="Ousmane")

    assert link_referrals(second) == 0
    assert link_referrals(erased) == 0
    jade.refresh_from_db()
    ousmane.refresh_from_db()
    assert (jade.learner, ousmane.learner) == (first, None)


def test_a_guardians_consent_picks_up_a_referral_made_since_the_profile():
    learner = LearnerFactory(user=UserFactory(email="jade.lopes@exemple.fr"))
    jade = referral("jade.lopes@exemple.fr")

    record_guardian_consent(learner, method=GuardianConsentMethod.PAPER, recorded_by=UserFactory())

    jade.refresh_from_db()
    assert jade.learner == learner
