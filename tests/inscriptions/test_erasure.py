"""Deleting an account erases the person, frees their seats, and leaves the campus's anonymous counts intact."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from formations.models import Session
from inscriptions.enums import Diploma, Gender, Nationality, Placement, QpvResidence, Situation
from inscriptions.models import ENTRY_FACTS, Application, EntryAnswers, FollowUp, Learner, StaffNote, StatusChange
from inscriptions.services import add_staff_note, erase_learner, record_follow_up
from inscriptions.workflow import HOLDS_SEAT, Role, Stage, Status
from tests.campus.factories import QpvFactory, UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def learner():
    return LearnerFactory(
        first_name="Fatoumata",
        last_name="Diallo",
        phone="06 12 34 56 78",
        gender=Gender.FEMALE,
        postcode="93300",
        commune="Aubervilliers",
        qpv_residence=QpvResidence.YES,
        qpv=QpvFactory(),
        diploma=Diploma.BAC,
        situation=Situation.JOB_SEEKER_UNREGISTERED,
        referrer_detail="Mme Martin, Mission Locale d’Aubervilliers",
    )


def counts():
    """What funders' reports read: applications by status, campus, gender, age, diploma, situation and QPV."""
    return sorted(
        Application.objects.values(
            "status",
            "campus",
            "age_on_submission",
            "learner__gender",
            "learner__diploma",
            "learner__situation",
            "learner__qpv_residence",
        )
        .annotate(total=Count("pk"))
        .values_list(
            "status",
            "campus",
            "age_on_submission",
            "learner__gender",
            "learner__diploma",
            "learner__situation",
            "learner__qpv_residence",
            "total",
        )
    )


def finished_applications(learner):
    """A learner's past: one certified (with follow-up and notes), one refused, with a CV."""
    past = SessionFactory(past=True)
    staff = UserFactory(staff_of=past.campus)
    certified = ApplicationFactory(learner=learner, session=past, constraints="Garde de ma fille le mercredi")
    certified.cv.save("Fatoumata_Diallo_CV.pdf", ContentFile(PDF))
    move_to(certified, Status.COMPLETED, actor=staff, now=timezone.now() - datetime.timedelta(days=40))
    move_to(certified, Status.CERTIFIED, actor=staff)
    add_staff_note(certified, author=staff, text="Fatoumata a une offre chez Orange.")
    record_follow_up(certified, 0, placement=Placement.CDI, employer="Orange", job_title="Technicienne réseau")
    refused = ApplicationFactory(learner=learner)
    move_to(refused, Status.REFUSED, actor=UserFactory(superuser=True))
    return certified, refused


def test_erasure_removes_everything_that_names_the_person(learner, django_capture_on_commit_callbacks):
    certified, refused = finished_applications(learner)
    cv_name = Application.objects.get(pk=certified.pk).cv.name
    assert storages["private"].exists(cv_name)
    user_pk = learner.user_id
    history_before = StatusChange.objects.filter(application__learner=learner).count()

    with django_capture_on_commit_callbacks(execute=True):
        erase_learner(learner)

    learner = Learner.objects.get(pk=learner.pk)
    assert learner.user is None
    assert not get_user_model().objects.filter(pk=user_pk).exists()
    for field in (
        "first_name",
        "last_name",
        "phone",
        "postcode",
        "commune",
        "referrer_detail",
        "guardian_name",
        "guardian_email",
    ):
        assert getattr(learner, field) == "", field
    assert learner.birth_date is None
    assert learner.qpv is None
    assert learner.anonymised_at is not None
    assert "Fatoumata" not in str(learner)

    assert not storages["private"].exists(cv_name)
    for application in Application.objects.filter(learner=learner):
        assert (application.motivation, application.constraints, application.cv.name) == ("", "", "")
    assert not StaffNote.objects.exists()
    history = StatusChange.objects.filter(application__learner=learner)
    assert history.count() == history_before
    assert set(history.values_list("comment", flat=True)) == {""}
    follow_up = FollowUp.objects.get()
    assert (follow_up.placement, follow_up.employer, follow_up.job_title) == (Placement.CDI, "", "")


def test_an_erasure_rolled_back_keeps_the_cv_its_application_points_to(learner, django_capture_on_commit_callbacks):
    certified, _ = finished_applications(learner)
    cv_name = Application.objects.get(pk=certified.pk).cv.name

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        erase_learner(learner)
        raise RuntimeError("arrêté")

    assert Application.objects.get(pk=certified.pk).cv.name == cv_name
    assert storages["private"].exists(cv_name)


def test_erasure_keeps_the_anonymous_facts_and_every_count(learner):
    finished_applications(learner)
    someone_else = move_to(ApplicationFactory(), Status.ADMITTED, actor=UserFactory(superuser=True))
    before = counts()
    ages = sorted(Application.objects.filter(learner=learner).values_list("age_on_submission", flat=True))

    erase_learner(learner)

    assert counts() == before
    learner = Learner.objects.get(pk=learner.pk)
    assert (learner.gender, learner.diploma, learner.situation, learner.qpv_residence) == (
        Gender.FEMALE,
        Diploma.BAC,
        Situation.JOB_SEEKER_UNREGISTERED,
        QpvResidence.YES,
    )
    assert sorted(Application.objects.filter(learner=learner).values_list("age_on_submission", flat=True)) == ages
    assert ages == [20, 20]
    someone_else.refresh_from_db()
    assert someone_else.status == Status.ADMITTED
    assert someone_else.learner.first_name.startswith("Prénom")


def test_open_applications_are_withdrawn_and_their_seat_goes_to_the_waitlist(
    learner, django_capture_on_commit_callbacks
):
    session = SessionFactory(capacity=1)
    staff = UserFactory(staff_of=session.campus)
    mine = move_to(ApplicationFactory(session=session, learner=learner), Status.ENROLLED, actor=staff)
    waiting = move_to(ApplicationFactory(session=session), Status.ADMITTED, actor=staff)
    assert waiting.status == Status.WAITLISTED
    pending = ApplicationFactory(learner=learner)

    with django_capture_on_commit_callbacks(execute=True):
        erase_learner(learner)

    assert Application.objects.get(pk=mine.pk).status == Status.WITHDRAWN
    assert Application.objects.get(pk=pending.pk).status == Status.WITHDRAWN
    assert Application.objects.get(pk=waiting.pk).status == Status.ADMITTED
    session = Session.objects.get(pk=session.pk)
    assert session.seats_taken == 1 == Application.objects.filter(session=session, status__in=HOLDS_SEAT).count()
    withdrawal = Application.objects.get(pk=mine.pk).history.last()
    assert (withdrawal.to_status, withdrawal.role, withdrawal.comment) == (Status.WITHDRAWN, Role.SYSTEM, "")


def test_a_learner_in_training_keeps_their_place_in_the_counts(learner):
    session = SessionFactory(past=True)
    application = move_to(
        ApplicationFactory(session=session, learner=learner),
        Status.IN_TRAINING,
        actor=UserFactory(staff_of=session.campus),
    )
    erase_learner(learner)
    assert Application.objects.get(pk=application.pk).status == Status.IN_TRAINING
    assert Session.objects.get(pk=session.pk).seats_taken == 1


def test_erasure_keeps_the_facts_at_entry_the_furthest_stage_and_the_statuses():
    learner = LearnerFactory(full_profile=True)
    past, current, upcoming = SessionFactory(past=True), SessionFactory(past=True), SessionFactory()
    staff = UserFactory(superuser=True)
    certified = move_to(ApplicationFactory(learner=learner, session=past), Status.CERTIFIED, actor=staff)
    in_training = move_to(ApplicationFactory(learner=learner, session=current), Status.IN_TRAINING, actor=staff)
    enrolled = move_to(ApplicationFactory(learner=learner, session=upcoming), Status.ENROLLED, actor=staff)
    kept = ["status", "furthest_stage", "entry_recorded_at", *ENTRY_FACTS]
    before = {row["pk"]: row for row in Application.objects.values("pk", *kept)}
    assert before[certified.pk]["entry_nationality"] == Nationality.OTHER

    erase_learner(learner)

    after = {row["pk"]: row for row in Application.objects.values("pk", *kept)}
    assert after[certified.pk] == before[certified.pk]
    assert after[in_training.pk] == before[in_training.pk]
    # The seat of the application still open goes to the waitlist; how far it went stays counted.
    assert after[enrolled.pk] == {**before[enrolled.pk], "status": Status.WITHDRAWN}
    assert after[enrolled.pk]["furthest_stage"] == Stage.ENROLLED
    # The answers given for the funders (RQTH, the European Social Fund's questions) are gone with the account.
    assert not EntryAnswers.objects.filter(learner_id=learner.pk).exists()
