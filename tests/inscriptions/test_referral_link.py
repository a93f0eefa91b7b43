"""A referred young person who applies at the campus is linked to the partner's referral there, and nowhere else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import Availability, GuardianConsentMethod
from inscriptions.models import Referral
from inscriptions.services import link_referrals, record_guardian_consent, submit_application
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, learner_profile_data

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


def test_applying_at_the_campus_links_the_referral_made_there():
    session = SessionFactory()
    jade = referral("Jade.Lopes@exemple.fr", campus=session.campus)
    other = referral("ousmane.sy@exemple.fr", campus=session.campus, first_name="Ousmane")
    learner = LearnerFactory(user=UserFactory(email="jade.lopes@exemple.fr"))

    submit_application(learner, session, motivation="Je veux coder.", availability=Availability.FULL)

    jade.refresh_from_db()
    other.refresh_from_db()
    assert jade.learner == learner
    assert other.learner is None


def test_a_referral_at_a_campus_where_she_did_not_apply_stays_unlinked(client):
    elsewhere = referral("jade.lopes@exemple.fr")
    user = UserFactory(email="jade.lopes@exemple.fr")
    client.force_login(user)

    client.post(reverse("inscriptions:postuler", args=[SessionFactory().pk]), learner_profile_data())
    client.post(reverse("inscriptions:profil"), learner_profile_data())

    elsewhere.refresh_from_db()
    # That campus learns nothing of her account: neither that it exists nor whose it is.
    assert elsewhere.learner is None


def test_a_learner_saving_their_profile_again_picks_up_a_referral_made_since_where_she_applied(client):
    learner = LearnerFactory(user=UserFactory(email="jade.lopes@exemple.fr"))
    application = ApplicationFactory(learner=learner)
    jade = referral("jade.lopes@exemple.fr", campus=application.session.campus)
    client.force_login(learner.user)

    response = client.post(reverse("inscriptions:profil"), learner_profile_data())

    assert response.status_code == 302
    jade.refresh_from_db()
    assert jade.learner == learner


def test_a_referral_already_linked_or_an_erased_learner_is_left_alone():
    campus = SessionFactory().campus
    first = LearnerFactory(user=UserFactory(email="jade.lopes@exemple.fr"))
    jade = referral("jade.lopes@exemple.fr", campus=campus)
    applied(first, campus)
    assert link_referrals(first) == 1
    second = LearnerFactory(user=UserFactory(email="JADE.LOPES@exemple.fr"))
    applied(second, campus)
    erased = LearnerFactory(user=UserFactory(email="ousmane.sy@exemple.fr"), anonymised_at=timezone.now())
    ousmane = referral("ousmane.sy@exemple.fr", campus=campus, first_name="Ousmane")

    assert link_referrals(second) == 0
    assert link_referrals(erased) == 0
    jade.refresh_from_db()
    ousmane.refresh_from_db()
    assert (jade.learner, ousmane.learner) == (first, None)


def test_a_guardians_consent_picks_up_a_referral_made_since_the_profile_where_she_applied():
    learner = LearnerFactory(user=UserFactory(email="jade.lopes@exemple.fr"))
    application = ApplicationFactory(learner=learner)
    jade = referral("jade.lopes@exemple.fr", campus=application.session.campus)

    record_guardian_consent(learner, method=GuardianConsentMethod.PAPER, recorded_by=UserFactory())

    jade.refresh_from_db()
    assert jade.learner == learner


def applied(learner, campus):
    return ApplicationFactory(learner=learner, session=SessionFactory(formation=FormationPageFactory(parent=campus)))
