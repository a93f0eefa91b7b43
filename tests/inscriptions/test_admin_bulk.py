"""One decision applied to several applications from the list: each succeeds or says why not."""

import datetime
import html
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from formations.models import Session
from inscriptions.models import StatusChange
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to


@pytest.fixture
def session_a():
    return SessionFactory(capacity=10)


@pytest.fixture
def session_b():
    return SessionFactory()


@pytest.fixture
def staff_a(client, session_a):
    user = UserFactory(staff_of=session_a.campus)
    client.force_login(user)
    return user


def bulk_url(action, *applications, **params):
    ids = [f"id={application.pk}" for application in applications]
    query = "&".join([*ids, *(f"{key}={value}" for key, value in params.items())])
    return f"{reverse('wagtail_bulk_action', args=['inscriptions', 'application', action])}?{query}"


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def statuses(*applications):
    for application in applications:
        application.refresh_from_db()
    return [application.status for application in applications]


def test_the_list_offers_the_transitions_and_no_deletion(client, staff_a, session_a):
    ApplicationFactory(session=session_a)

    content = client.get(reverse("inscriptions_admin:index")).content.decode()

    for action in [
        "etudier",
        "admettre",
        "liste-attente",
        "ne-pas-retenir",
        "debut-formation",
        "formation-terminee",
        "certification-obtenue",
        "certification-non-obtenue",
    ]:
        assert reverse("wagtail_bulk_action", args=["inscriptions", "application", action]) in content
    assert "/admin/bulk/inscriptions/application/delete/" not in content
    assert client.get(bulk_url("delete", ApplicationFactory(session=session_a))).status_code == 404


def test_the_confirmation_page_lists_the_selected_applications(client, staff_a, session_a):
    applications = ApplicationFactory.create_batch(2, session=session_a)

    response = client.get(bulk_url("admettre", *applications))

    assert response.status_code == 200
    content = response.content.decode()
    for application in applications:
        assert str(application.learner) in content


def test_bulk_admission_reports_successes_and_each_refusal_reason(client, staff_a, session_a):
    ready = ApplicationFactory.create_batch(2, session=session_a)
    already = ApplicationFactory(session=session_a, learner__last_name="Dejaadmise")
    move_to(already, Status.ADMITTED, actor=staff_a)
    minor = ApplicationFactory(session=session_a, learner=LearnerFactory(minor=True, last_name="Mineur"))
    next_url = reverse("inscriptions_admin:index")

    response = client.post(bulk_url("admettre", *ready, already, minor, next=next_url))

    assert response.status_code == 302
    assert response.url == next_url
    assert statuses(*ready, already, minor) == [Status.ADMITTED, Status.ADMITTED, Status.ADMITTED, Status.SUBMITTED]
    assert already.history.count() == 2
    messages = message_texts(response)
    assert messages[0] == "« Admettre » : 2 candidatures modifiées."
    assert any("Dejaadmise" in message and "Impossible de passer" in message for message in messages)
    assert any("Mineur" in message and "accord d’un parent" in message for message in messages)


def test_bulk_admission_into_a_full_session_waitlists_and_says_so(client, staff_a, session_a):
    session_a.capacity = 1
    session_a.save()
    first, second = ApplicationFactory.create_batch(2, session=session_a)

    response = client.post(bulk_url("admettre", first, second))

    assert statuses(first, second) == [Status.ADMITTED, Status.WAITLISTED]
    assert any("liste d’attente" in message and str(second.learner) in message for message in message_texts(response))


def test_bulk_refusal_needs_a_comment(client, staff_a, session_a):
    applications = ApplicationFactory.create_batch(2, session=session_a)

    response = client.post(bulk_url("ne-pas-retenir", *applications), {"comment": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["comment"]
    assert statuses(*applications) == [Status.SUBMITTED, Status.SUBMITTED]

    client.post(bulk_url("ne-pas-retenir", *applications), {"comment": "La session est complète."})

    assert statuses(*applications) == [Status.REFUSED, Status.REFUSED]
    assert {change.comment for change in StatusChange.objects.filter(to_status=Status.REFUSED)} == {
        "La session est complète."
    }


def test_bulk_start_and_end_of_training_on_the_days_typed(client, staff_a, session_a):
    began = timezone.localdate() - datetime.timedelta(days=20)
    Session.objects.filter(pk=session_a.pk).update(start_date=began)
    applications = [move_to(ApplicationFactory(session=session_a), Status.ENROLLED, actor=staff_a) for _ in range(2)]

    # The whole group began on the session's first day, typed the French way.
    client.post(bulk_url("debut-formation", *applications), {"on": began.strftime("%d/%m/%Y"), "comment": ""})
    assert statuses(*applications) == [Status.IN_TRAINING, Status.IN_TRAINING]
    assert {application.started_on for application in applications} == {began}

    finished = began + datetime.timedelta(days=14)
    client.post(bulk_url("formation-terminee", *applications), {"on": finished.isoformat(), "comment": ""})
    assert statuses(*applications) == [Status.COMPLETED, Status.COMPLETED]
    assert {application.left_on for application in applications} == {finished}


def test_a_jury_result_for_the_group_on_its_day_and_never_before_the_exit(client, staff_a, session_a):
    began = timezone.localdate() - datetime.timedelta(days=40)
    Session.objects.filter(pk=session_a.pk).update(start_date=began)
    finished = began + datetime.timedelta(days=30)
    group = [move_to(ApplicationFactory(session=session_a), Status.ENROLLED, actor=staff_a) for _ in range(3)]
    client.post(bulk_url("debut-formation", *group), {"on": began.strftime("%d/%m/%Y"), "comment": ""})
    client.post(bulk_url("formation-terminee", *group), {"on": finished.strftime("%d/%m/%Y"), "comment": ""})
    certified, failed = group[:2], group[2]

    page = client.get(bulk_url("certification-obtenue", *certified)).content.decode()
    assert "Date du résultat" in page
    the_day_before_the_exit = (finished - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    client.post(bulk_url("certification-obtenue", *certified), {"on": the_day_before_the_exit, "comment": ""})
    assert statuses(*certified) == [Status.COMPLETED, Status.COMPLETED]

    jury = finished + datetime.timedelta(days=5)
    client.post(bulk_url("certification-obtenue", *certified), {"on": jury.strftime("%d/%m/%Y"), "comment": ""})
    client.post(bulk_url("certification-non-obtenue", failed), {"on": jury.isoformat(), "comment": ""})
    assert statuses(*group) == [Status.CERTIFIED, Status.CERTIFIED, Status.NOT_CERTIFIED]
    assert {application.certification_on for application in group} == {jury}


def test_the_bulk_start_asks_the_day_and_refuses_each_application_it_cannot_date(client, staff_a, session_a):
    Session.objects.filter(pk=session_a.pk).update(start_date=timezone.localdate())
    enrolled = move_to(ApplicationFactory(session=session_a), Status.ENROLLED, actor=staff_a)
    admitted = move_to(ApplicationFactory(session=session_a), Status.ADMITTED, actor=staff_a)

    page = client.get(bulk_url("debut-formation", enrolled, admitted)).content.decode()
    assert "Premier jour de formation" in page
    assert 'name="on"' in page

    too_early = timezone.localdate() - datetime.timedelta(days=settings.TRAINING_START_TOLERANCE_DAYS + 1)
    response = client.post(
        bulk_url("debut-formation", enrolled, admitted), {"on": too_early.strftime("%d/%m/%Y"), "comment": ""}
    )
    assert statuses(enrolled, admitted) == [Status.ENROLLED, Status.ADMITTED]
    texts = message_texts(response)
    assert any(
        "la formation ne peut pas avoir commencé avant" in text and str(enrolled.learner) in text for text in texts
    )
    assert any("Impossible de passer" in text and str(admitted.learner) in text for text in texts)

    response = client.post(bulk_url("debut-formation", enrolled), {"on": "", "comment": ""})
    assert response.status_code == 200
    assert "Indiquez la date." in response.content.decode()
    assert statuses(enrolled) == [Status.ENROLLED]


def test_a_session_filtered_list_offers_the_whole_group_start(client, staff_a, session_a):
    Session.objects.filter(pk=session_a.pk).update(start_date=timezone.localdate())
    group = [move_to(ApplicationFactory(session=session_a), Status.ENROLLED, actor=staff_a) for _ in range(2)]
    waiting = ApplicationFactory(session=session_a)
    same_formation = SessionFactory(formation=session_a.formation, past=True)
    other_session = move_to(ApplicationFactory(session=same_formation), Status.ENROLLED, actor=staff_a)

    index = client.get(reverse("inscriptions_admin:index"), {"session": session_a.pk}).content.decode()
    assert "Tout le groupe a commencé" in index
    assert "Tout le groupe a commencé" not in client.get(reverse("inscriptions_admin:index")).content.decode()
    url = html.unescape(re.search(r'href="([^"]*/debut-formation/\?[^"]*session=[^"]*)"', index).group(1))

    client.post(url, {"on": timezone.localdate().strftime("%d/%m/%Y"), "comment": ""})

    assert statuses(*group, waiting, other_session) == [
        Status.IN_TRAINING,
        Status.IN_TRAINING,
        Status.SUBMITTED,
        Status.ENROLLED,
    ]


def test_another_campus_application_in_the_selection_answers_404_and_changes_nothing(
    client, staff_a, session_a, session_b
):
    own = ApplicationFactory(session=session_a)
    other = ApplicationFactory(session=session_b)

    assert client.get(bulk_url("etudier", own, other)).status_code == 404
    assert client.post(bulk_url("etudier", own, other)).status_code == 404
    assert client.post(bulk_url("etudier", other)).status_code == 404
    assert statuses(own, other) == [Status.SUBMITTED, Status.SUBMITTED]


def test_selecting_all_keeps_the_list_filters_and_the_campus(client, staff_a, session_a, session_b):
    submitted = ApplicationFactory.create_batch(2, session=session_a)
    waitlisted = move_to(ApplicationFactory(session=session_a), Status.WAITLISTED, actor=staff_a)
    other = ApplicationFactory(session=session_b)

    response = client.post(
        f"{reverse('wagtail_bulk_action', args=['inscriptions', 'application', 'etudier'])}"
        f"?id=all&status={Status.SUBMITTED}"
    )

    assert response.status_code == 302
    assert statuses(*submitted, waitlisted, other) == [
        Status.UNDER_REVIEW,
        Status.UNDER_REVIEW,
        Status.WAITLISTED,
        Status.SUBMITTED,
    ]


def test_a_learner_cannot_use_bulk_actions(client, session_a):
    application = ApplicationFactory(session=session_a)
    client.force_login(application.learner.user)

    response = client.post(bulk_url("admettre", application))

    assert response.status_code == 403
    assert statuses(application) == [Status.SUBMITTED]
