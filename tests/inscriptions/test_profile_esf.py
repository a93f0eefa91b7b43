"""The European Social Fund's optional questions and the consent to named data, from the profile to erasure."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import FollowUpMilestone, Nationality, YesNoUnsaid
from inscriptions.models import FollowUpSurvey, Learner
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


def test_the_questions_are_grouped_optional_and_explained(client_of, learner):
    page = client_of(learner.user).get(reverse("inscriptions:profil")).content.decode()

    assert "<legend><h2>Questions du Fonds social européen (facultatives)</h2></legend>" in page
    assert "L’Union européenne finance certaines formations" in page
    for label in ("Nationalité", "L’un de vos parents est-il né à l’étranger ?", "zone rurale", "sans logement"):
        assert label in page
    assert NAMED_DATA_LABEL in page


def test_the_profile_saves_without_answering_them(client_of):
    user = UserFactory()
    response = client_of(user).post(reverse("inscriptions:profil"), learner_profile_data())

    assert response.status_code == 302
    learner = Learner.objects.get(user=user)
    assert (learner.nationality, learner.foreign_background) == ("", YesNoUnsaid.UNSAID)
    assert (learner.housing_exclusion, learner.rural_area, learner.named_data_consent_at) == (False, False, None)


def test_the_answers_are_saved(client_of, learner):
    data = learner_profile_data(
        nationality=Nationality.OTHER, foreign_background=YesNoUnsaid.YES, housing_exclusion="on", rural_area="on"
    )
    client_of(learner.user).post(reverse("inscriptions:profil"), data)

    learner.refresh_from_db()
    assert learner.nationality == Nationality.OTHER
    assert learner.foreign_background == YesNoUnsaid.YES
    assert learner.housing_exclusion and learner.rural_area


def test_an_answer_outside_the_choices_is_refused(client_of, learner):
    response = client_of(learner.user).post(reverse("inscriptions:profil"), learner_profile_data(nationality="xx"))

    assert response.status_code == 200
    assert "nationality" in response.context["form"].errors
    learner.refresh_from_db()
    assert learner.nationality == ""


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


def test_the_questions_are_also_asked_when_applying(client_of, campus_index):
    from tests.campus.factories import CampusPageFactory
    from tests.formations.factories import FormationPageFactory

    campus = CampusPageFactory(parent=campus_index)
    session = SessionFactory(formation=FormationPageFactory(parent=campus))
    page = client_of(UserFactory()).get(reverse("inscriptions:postuler", args=[session.pk])).content.decode()

    assert "Questions du Fonds social européen (facultatives)" in page
    assert NAMED_DATA_LABEL in page


def test_my_data_export_holds_the_answers_and_the_surveys(learner):
    learner.nationality = Nationality.EU
    learner.rural_area = True
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
    assert profile["nationalité"] == {"code": "ue", "libellé": "D’un autre pays de l’Union européenne"}
    assert profile["j’habite en zone rurale"] is True
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


def test_erasing_the_account_clears_the_answers_and_the_consent(learner):
    learner.nationality = Nationality.OTHER
    learner.foreign_background = YesNoUnsaid.YES
    learner.housing_exclusion = True
    learner.rural_area = True
    learner.named_data_consent_at = timezone.now()
    learner.save()

    erase_learner(learner)

    learner.refresh_from_db()
    assert (learner.nationality, learner.foreign_background) == ("", "")
    assert (learner.housing_exclusion, learner.rural_area, learner.named_data_consent_at) == (False, False, None)
