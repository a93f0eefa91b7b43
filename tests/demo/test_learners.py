"""The demo seed's learners: every stage, a second run changes nothing, one of them can log in."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from demo.learners import DEMO_LEARNER_EMAIL
from formations.models import Session
from inscriptions.enums import FollowUpMilestone, Nationality, QpvResidence
from inscriptions.models import Application, Attendance, EntryAnswers, FollowUp, Learner, StatusChange
from inscriptions.services import follow_ups_due, overdue_applications
from inscriptions.services.attendance import long_absences
from inscriptions.workflow import HOLDS_SEAT, Role, Stage, Status

# Each seed starts from a fresh install, not from the home page the other tests share.
pytestmark = pytest.mark.usefixtures("fresh_install")


def demo_counts():
    return {
        "learners": Learner.objects.count(),
        "users": get_user_model().objects.count(),
        "applications": sorted(Application.objects.values_list("status").annotate(total=Count("pk"))),
        "history": StatusChange.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "sessions": sorted(Session.objects.values_list("pk", "capacity", "seats_taken")),
        "emails": EmailAddress.objects.count(),
    }


def test_the_demo_seed_builds_learners_at_every_stage_and_a_second_run_changes_nothing():
    call_command("seed_demo", verbosity=0)
    first = demo_counts()
    call_command("seed_demo", verbosity=0)
    assert demo_counts() == first

    assert 25 <= first["learners"] <= 40
    assert {status for status, _ in first["applications"]} == set(Status)
    # Demo histories are not news: nobody was e-mailed.
    assert mail.outbox == []
    for session in Session.objects.all():
        assert session.seats_taken == session.applications.filter(status__in=HOLDS_SEAT).count()
        assert session.seats_taken <= session.capacity
    full = Session.objects.filter(applications__status=Status.WAITLISTED, seats_taken=F("capacity")).distinct()
    assert full.exists()

    learners = Learner.objects.all()
    assert learners.filter(qpv_residence=QpvResidence.YES, qpv__isnull=False).count() >= 10
    minors = [learner for learner in learners if learner.is_minor()]
    assert any(learner.guardian_consent_at for learner in minors)
    assert any(learner.needs_guardian_consent() for learner in minors)

    # Every line of history was written by the state machine, from submission on.
    for application in Application.objects.prefetch_related("history"):
        steps = list(application.history.all())
        assert steps[0].to_status == Status.SUBMITTED and steps[0].role == Role.LEARNER
        assert steps[-1].to_status == application.status
        assert all(step.created_at <= timezone.now() for step in steps)
        assert [step.created_at for step in steps] == sorted(step.created_at for step in steps)

    # What the funders count was recorded as the histories went: stages, entry facts, due dates.
    for application in Application.objects.select_related("learner").prefetch_related("history"):
        reached = max(Stage.of(step.to_status) for step in application.history.all())
        assert application.furthest_stage == reached
        if reached == Stage.STARTED:
            assert (application.entry_diploma, application.entry_situation) == (
                application.learner.diploma,
                application.learner.situation,
            )
    assert not FollowUp.objects.filter(due_on__isnull=True).exists()

    # Some of those who got a place answered the funders' questions, nobody before; the answers reached the facts.
    answered = EntryAnswers.objects.values_list("learner_id", flat=True)
    assert 5 <= len(answered) < Application.objects.filter(status__in=HOLDS_SEAT).count()
    placed = Application.objects.filter(furthest_stage__gte=Stage.ADMITTED).values_list("learner_id", flat=True)
    assert set(answered) <= set(placed)
    assert Application.objects.filter(learner__in=answered, entry_nationality=Nationality.OTHER).exists()

    due = follow_ups_due(Application.objects.all())
    milestones = set(FollowUp.objects.values_list("milestone", flat=True))
    assert milestones == set(FollowUpMilestone)
    assert due[FollowUpMilestone.SIX_MONTHS].exists()
    assert overdue_applications().exists()

    # The sessions under way have their past sheets filled, and one long absence for staff to see.
    assert Attendance.objects.exists()
    assert long_absences(Application.objects.all())


def test_the_demo_learner_can_log_in(client):
    call_command("seed_demo", verbosity=0)
    user = get_user_model().objects.get(email=DEMO_LEARNER_EMAIL)
    assert user.check_password("tremplin-demo")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (DEMO_LEARNER_EMAIL, True, True)
    lea = Learner.objects.get(user=user)
    assert (lea.first_name, lea.last_name) == ("Léa", "Martin")
    assert set(lea.applications.values_list("status", flat=True)) == {Status.ADMITTED, Status.WITHDRAWN}

    response = client.post("/comptes/login/", {"login": DEMO_LEARNER_EMAIL, "password": "tremplin-demo"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_the_demo_seed_without_users_adds_no_learner():
    call_command("seed_demo", no_users=True, verbosity=0)
    assert not Learner.objects.exists()
    assert not Application.objects.exists()
