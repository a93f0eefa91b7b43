"""The consent to named data and the surveys, from the profile to the export and erasure. (The European Social
Fund's questions are no longer on the profile: tests/inscriptions/test_entry_answers.py.)"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import FollowUpMilestone
from inscriptions.models import FollowUpSurvey
from inscriptions.services import erase_learner, export_learner_data
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, learner_profile_data, move_to

NAMED_DATA_LABEL = "J’accepte que mon nom soit transmis aux financeurs de ma formation"


@pytest.fixture
def learner():
    return LearnerFactory()


@pytest.fixture
def client_of(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


def test_checking_the_named_data_box_dates_the_consent_and_unchecking_withdraws_it(client_of, learner):
    client = client_of(learner.user)
    before = timezone.now()
    client.post(reverse("inscriptions:profil"), learner_profile_data(named_data_consent="on"))
    learner.refresh_from_db()
    given_at = learner.named_data_consent_at
    assert given_at is not None and given_at >= before

    page = client.get(reverse("inscriptions:profil")).content.decode()
    assert re.search(r'<input type="checkbox" name="named_data_consent"[^>]* checked>', page)

    # Saving the profile again, still checked, keeps the date the consent was first given.
    client.post(reverse("inscriptions:profil"), learner_profile_data(named_data_consent="on", commune="Pantin"))
    learner.refresh_from_db()
    assert learner.named_data_consent_at == given_at

    client.post(reverse("inscriptions:profil"), learner_profile_data())
    learner.refresh_from_db()
    assert learner.named_data_consent_at is None


def test_my_data_export_holds_the_consent_and_the_surveys(learner):
    learner.named_data_consent_at = timezone.now()
    learner.save()
    session = SessionFactory(past=True)
    staff = UserFactory(staff_of=session.campus)
    application = move_to(ApplicationFactory(learner=learner, session=session), Status.COMPLETED, actor=staff)
    survey = FollowUpSurvey.objects.create(
        application=application,
        milestone=FollowUpMilestone.SIX_MONTHS,
        token_hash="a" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=45),
    )

    data = export_learner_data(learner)

    profile = data["profil"]
    assert profile["accord pour transmettre son nom aux financeurs, le"] == learner.named_data_consent_at.isoformat()
    assert data["candidatures"][0]["questionnaires_de_suivi"] == [
        {
            "moment": "À 6 mois",
            "envoyé_le": survey.sent_at.isoformat(),
            "relance_le": None,
            "lien_valable_jusqu_au": survey.expires_at.isoformat(),
            "réponse_reçue_le": None,
        }
    ]
    assert "a" * 64 not in str(data)


def test_erasing_the_account_clears_the_consent(learner):
    learner.named_data_consent_at = timezone.now()
    learner.save()

    erase_learner(learner)

    learner.refresh_from_db()
    assert learner.named_data_consent_at is None
