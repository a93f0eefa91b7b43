"""Six months after leaving, a learner answers the follow-up survey from the e-mailed link, on a phone, without JS."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from inscriptions.enums import FollowUpMilestone, FollowUpSource, Placement
from inscriptions.forms import MONTHS
from inscriptions.models import FollowUp, FollowUpSurvey, add_months
from inscriptions.surveys import send_due_surveys
from inscriptions.workflow import Status
from tests.accessibility import Auditor
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, move_to
from tests.inscriptions.test_journey_browser import PHONE
from tests.inscriptions.test_surveys import LINK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def learner_who_left_six_months_ago(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus d’Aubervilliers")
    formation = FormationPageFactory(parent=campus, title="Technicien·ne d’assistance informatique")
    session = SessionFactory(formation=formation, past=True)
    staff = UserFactory(staff_of=campus)
    left_on = add_months(timezone.localdate(), -6)
    # Began and left that day: a training never ends before it begins.
    moment = timezone.make_aware(datetime.datetime.combine(left_on, datetime.time(12)))
    return move_to(ApplicationFactory(session=session), Status.COMPLETED, actor=staff, now=moment)


def test_answering_the_survey_from_the_emailed_link(new_context, live_server, learner_who_left_six_months_ago):
    application = learner_who_left_six_months_ago
    mail.outbox.clear()
    assert send_due_surveys() == 1
    (message,) = mail.outbox
    assert message.to == [application.learner.user.email]
    link = LINK.search(message.body).group(0).replace("http://testserver", live_server.url)
    auditor = Auditor(new_context(viewport=PHONE, bypass_csp=True))
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()

    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Que devenez-vous ?")).to_be_visible()
    auditor.check("questionnaire", page)

    # Sent with the situation only: the two missing answers are listed at the top, each a link to its field.
    page.get_by_label("J’ai un emploi en CDD de 6 mois ou plus").check()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Il y a 2 points à corriger")
    expect(summary.get_by_role("link", name="Mois : Indiquez le mois et l’année")).to_be_visible()
    expect(page.get_by_label("J’ai un emploi en CDD de 6 mois ou plus")).to_be_checked()
    auditor.check("questionnaire : erreurs", page)

    since = page.get_by_role("group", name="Depuis quand ?")
    since.get_by_label("Mois").select_option(label=str(MONTHS[application.left_on.month - 1]))
    since.get_by_label("Année").select_option(str(application.left_on.year))
    page.get_by_label("Chez quel employeur, ou dans quel organisme de formation ?").fill("Mairie d’Aubervilliers")
    page.get_by_role("button", name="Envoyer mes réponses").click()

    expect(page.get_by_role("heading", level=1, name="Merci pour vos réponses")).to_be_visible()
    auditor.check("merci", page)
    follow_up = FollowUp.objects.get(application=application)
    assert (follow_up.milestone, follow_up.placement, follow_up.source, follow_up.employer) == (
        FollowUpMilestone.SIX_MONTHS,
        Placement.CDD_LONG,
        FollowUpSource.SURVEY,
        "Mairie d’Aubervilliers",
    )
    assert follow_up.start_date == application.left_on.replace(day=1)

    # The link works once.
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Votre réponse est déjà enregistrée")).to_be_visible()
    auditor.check("déjà répondu", page)
    assert FollowUpSurvey.objects.get().answered_at is not None

    assert auditor.violations == dict.fromkeys(
        ["questionnaire", "questionnaire : erreurs", "merci", "déjà répondu"], []
    )
