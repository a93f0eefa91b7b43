"""The subject is the part of an e-mail anyone can read on a lock screen, and the part a throw-away account could
make Tremplin write to anyone: no e-mail of the pipeline puts a person's name there."""

from django.core import mail

from inscriptions import notifications
from inscriptions.enums import Availability
from inscriptions.services import change_status, submit_application
from inscriptions.workflow import Role, Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import LearnerFactory

NAMES = ("Zénobie", "Kouyaté", "Mariam", "Sissoko")


def test_no_name_enters_any_subject(django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=5)
    UserFactory(staff_of=session.campus)
    minor = LearnerFactory(minor=True, first_name="Zénobie", last_name="Kouyaté", guardian_name="Mariam Sissoko")
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_application(minor, session, motivation="Je veux coder.", availability=Availability.FULL)
    notifications.ask_guardian_consent(minor.pk)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(application, Status.WITHDRAWN, role=Role.LEARNER, actor=minor.user)

    subjects = [message.subject for message in mail.outbox]
    # To the learner and the staff at submission and withdrawal, and the guardian's request (sent twice).
    assert len(subjects) >= 5
    for subject in subjects:
        for name in NAMES:
            assert name not in subject, subject
