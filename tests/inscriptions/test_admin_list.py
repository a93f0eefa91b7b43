"""The staff's list of applications: their campus only, filters, search, and a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inscriptions.enums import QpvResidence
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to, years_ago

INDEX = "inscriptions_admin:index"


@pytest.fixture
def session_a():
    return SessionFactory(formation__title="Développeur web et web mobile")


@pytest.fixture
def campus_a(session_a):
    return session_a.campus


@pytest.fixture
def session_b():
    return SessionFactory(formation__title="Technicien supérieur systèmes et réseaux")


@pytest.fixture
def staff_a(client, campus_a):
    user = UserFactory(staff_of=campus_a)
    client.force_login(user)
    return user


def listed(response):
    return list(response.context["object_list"])


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


# --- Scope --------------------------------------------------------------------------------------


def test_staff_see_only_their_campus_applications(client, staff_a, session_a, session_b):
    own = ApplicationFactory(session=session_a)
    other = ApplicationFactory(session=session_b, learner__last_name="Autrecampus")

    response = client.get(reverse(INDEX))

    assert response.status_code == 200
    assert listed(response) == [own]
    content = response.content.decode()
    assert str(own.learner) in content
    assert "Autrecampus" not in content
    assert other.session.formation.title not in content


def test_the_ajax_results_are_scoped_too(client, staff_a, session_a, session_b):
    own = ApplicationFactory(session=session_a)
    ApplicationFactory(session=session_b, learner__last_name="Autrecampus")

    response = client.get(reverse("inscriptions_admin:index_results"), {"q": "Nom"})

    assert listed(response) == [own]
    assert "Autrecampus" not in response.content.decode()


def test_the_session_filter_offers_only_the_staff_campus_sessions(client, staff_a, session_a, session_b):
    response = client.get(reverse(INDEX))

    choices = [value for value, _label in response.context["filters"].form.fields["session"].choices if value]
    assert [str(value) for value in choices] == [str(session_a.pk)]
    assert "Technicien supérieur systèmes et réseaux" not in response.content.decode()


def test_asking_for_another_campus_session_by_hand_never_shows_its_applications(client, staff_a, session_a, session_b):
    own = ApplicationFactory(session=session_a)
    ApplicationFactory(session=session_b)

    response = client.get(reverse(INDEX), {"session": session_b.pk})

    assert response.context["filters"].errors
    assert listed(response) == [own]


def test_a_superuser_sees_every_campus_with_a_campus_column(client, session_a, session_b):
    applications = {ApplicationFactory(session=session_a), ApplicationFactory(session=session_b)}
    client.force_login(UserFactory(superuser=True))

    response = client.get(reverse(INDEX))

    assert set(listed(response)) == applications
    assert session_b.campus.title in response.content.decode()


def test_a_learner_has_no_access_to_the_admin(client, session_a):
    application = ApplicationFactory(session=session_a)
    client.force_login(application.learner.user)

    response = client.get(reverse(INDEX))

    assert response.status_code == 403
    assert "Envoyée" not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse(INDEX))

    assert response.status_code == 302
    assert "login" in response.url


def test_there_is_no_add_edit_or_delete_view_for_applications(client, session_a):
    client.force_login(UserFactory(superuser=True))
    application = ApplicationFactory(session=session_a)

    for path in ("new/", f"edit/{application.pk}/", f"delete/{application.pk}/", f"copy/{application.pk}/"):
        assert client.get(reverse(INDEX) + path).status_code == 404
    content = client.get(reverse(INDEX)).content.decode()
    assert "/new/" not in content


# --- Columns ------------------------------------------------------------------------------------


def test_an_undecided_application_past_the_reminder_delay_is_flagged(client, staff_a, session_a, settings):
    settings.APPLICATION_REVIEW_REMINDER_DAYS = 14
    ApplicationFactory(session=session_a, submitted_at=days_ago(20), learner__last_name="Enretard")
    ApplicationFactory(session=session_a, submitted_at=days_ago(3), learner__last_name="Recente")

    content = client.get(reverse(INDEX)).content.decode()

    assert content.count("sans réponse depuis") == 1
    assert "sans réponse depuis 20 jours" in content


def test_a_decided_application_is_never_flagged(client, staff_a, session_a, settings):
    settings.APPLICATION_REVIEW_REMINDER_DAYS = 14
    move_to(ApplicationFactory(session=session_a, submitted_at=days_ago(20)), Status.ADMITTED, actor=staff_a)

    assert "sans réponse depuis" not in client.get(reverse(INDEX)).content.decode()


# --- Filters and search -------------------------------------------------------------------------


def test_filter_by_status_accepts_several(client, staff_a, session_a):
    submitted = ApplicationFactory(session=session_a)
    under_review = move_to(ApplicationFactory(session=session_a), Status.UNDER_REVIEW, actor=staff_a)
    waitlisted = move_to(ApplicationFactory(session=session_a), Status.WAITLISTED, actor=staff_a)

    response = client.get(reverse(INDEX), {"status": [Status.SUBMITTED, Status.WAITLISTED]})

    assert set(listed(response)) == {submitted, waitlisted}
    assert under_review not in listed(response)


def test_filter_by_session(client, staff_a, session_a):
    other_session = SessionFactory(formation=FormationPageFactory(parent=session_a.campus))
    wanted = ApplicationFactory(session=other_session)
    ApplicationFactory(session=session_a)

    response = client.get(reverse(INDEX), {"session": other_session.pk})

    assert listed(response) == [wanted]


def test_filter_by_submission_dates(client, staff_a, session_a):
    old = ApplicationFactory(session=session_a, submitted_at=days_ago(40))
    ApplicationFactory(session=session_a, submitted_at=days_ago(2))
    start, end = (timezone.localdate() - datetime.timedelta(days=days) for days in (45, 30))

    response = client.get(reverse(INDEX), {"submitted_at_from": start.isoformat(), "submitted_at_to": end.isoformat()})

    assert listed(response) == [old]


@pytest.mark.parametrize("answer", [QpvResidence.YES, QpvResidence.NO, QpvResidence.UNKNOWN])
def test_filter_by_qpv_residence(client, staff_a, session_a, answer):
    applications = {
        residence: ApplicationFactory(session=session_a, learner__qpv_residence=residence)
        for residence in QpvResidence
    }

    response = client.get(reverse(INDEX), {"qpv": answer})

    assert listed(response) == [applications[answer]]


def test_filter_by_age_band(client, staff_a, session_a):
    minor = ApplicationFactory(session=session_a, learner=LearnerFactory(minor=True))
    young = ApplicationFactory(session=session_a, learner=LearnerFactory(birth_date=years_ago(25)))
    older = ApplicationFactory(session=session_a, learner=LearnerFactory(birth_date=years_ago(26)))
    oldest = ApplicationFactory(session=session_a, learner=LearnerFactory(birth_date=years_ago(45)))

    assert listed(client.get(reverse(INDEX), {"age_band": ["16-17"]})) == [minor]
    assert listed(client.get(reverse(INDEX), {"age_band": ["18-25"]})) == [young]
    assert listed(client.get(reverse(INDEX), {"age_band": ["26-30"]})) == [older]
    assert listed(client.get(reverse(INDEX), {"age_band": ["31+"]})) == [oldest]
    assert set(listed(client.get(reverse(INDEX), {"age_band": ["16-17", "31+"]}))) == {minor, oldest}


def test_filter_waiting_for_an_answer_for_more_than_n_days(client, staff_a, session_a):
    waiting = ApplicationFactory(session=session_a, submitted_at=days_ago(20))
    ApplicationFactory(session=session_a, submitted_at=days_ago(5))
    move_to(ApplicationFactory(session=session_a, submitted_at=days_ago(30)), Status.ADMITTED, actor=staff_a)

    response = client.get(reverse(INDEX), {"waiting_days": "14"})

    assert listed(response) == [waiting]


@pytest.mark.parametrize("query", ["Inès", "moreau", "Inès Moreau", "ines.moreau@exemple", "Développeur web"])
def test_search_by_name_email_or_formation(client, staff_a, session_a, query):
    found = ApplicationFactory(
        session=session_a,
        learner__first_name="Inès",
        learner__last_name="Moreau",
        learner__user__email="ines.moreau@exemple.fr",
    )
    other_session = SessionFactory(formation=FormationPageFactory(parent=session_a.campus, title="Data analyst"))
    ApplicationFactory(session=other_session, learner__first_name="Karim", learner__last_name="Benali")

    response = client.get(reverse(INDEX), {"q": query})

    assert listed(response) == [found]


def test_sorted_by_submission_date(client, staff_a, session_a):
    older = ApplicationFactory(session=session_a, submitted_at=days_ago(10))
    newer = ApplicationFactory(session=session_a, submitted_at=days_ago(1))

    assert listed(client.get(reverse(INDEX))) == [newer, older]
    assert listed(client.get(reverse(INDEX), {"ordering": "submitted_at"})) == [older, newer]


# --- Performance --------------------------------------------------------------------------------


def count_list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(INDEX))
    assert response.status_code == 200
    return len(queries), len(listed(response))


def test_the_list_query_count_does_not_grow_with_applications(client, staff_a, session_a):
    ApplicationFactory.create_batch(3, session=session_a)
    few, shown = count_list_queries(client)
    assert shown == 3

    sessions = [SessionFactory(formation=FormationPageFactory(parent=session_a.campus)) for _ in range(3)]
    for index in range(27):
        ApplicationFactory(session=sessions[index % 3])
    many, shown = count_list_queries(client)

    assert shown == 30
    assert many == few
