"""The world the matrix is asked in: two campuses, each with its people and records."""

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import ReferenceIndex

from inscriptions.models import FollowUpSurvey, GuardianConsentToken, Payment, PaymentMethod, PaymentStatus, Referral
from inscriptions.surveys import hash_token
from tests.campus.factories import CampusPageFactory, QpvFactory, UserFactory
from tests.financeurs.factories import AgreementFactory, FunderFactory, funder_user
from tests.formations.factories import (
    CertificationFactory,
    DomainFactory,
    FormationPageFactory,
    RomeCodeFactory,
    SessionFactory,
)
from tests.inscriptions.factories import ApplicationFactory, FollowUpFactory, LearnerFactory
from transferts.models import DataJob

PDF = b"%PDF-1.4\n%matrix\n"


def build_world():
    """Two campuses, each with its people and records; returns the ids for the paths and the users by role."""
    campus_a, campus_b = CampusPageFactory(title="Campus A"), CampusPageFactory(title="Campus B")
    session_a = SessionFactory(formation=FormationPageFactory(parent=campus_a))
    session_b = SessionFactory(formation=FormationPageFactory(parent=campus_b))
    learner = LearnerFactory(minor=True, guardian_consent_at=None)
    other_learner = LearnerFactory()
    application_a = ApplicationFactory(learner=learner, session=session_a)
    application_a.cv.save("cv.pdf", ContentFile(PDF))
    ApplicationFactory(learner=other_learner, session=session_b)
    payment_a = Payment.objects.create(
        application=application_a,
        amount_cents=12000,
        fee_kind="frais",
        method=PaymentMethod.CHEQUE,
        status=PaymentStatus.PAID,
        paid_at=timezone.now(),
    )
    follow_up_a = FollowUpFactory(application=application_a)
    survey_token = "jeton-du-questionnaire-de-la-candidate-du-campus-a"
    FollowUpSurvey.objects.create(
        application=application_a,
        milestone=follow_up_a.milestone,
        token_hash=hash_token(survey_token),
        expires_at=timezone.now() + timezone.timedelta(days=30),
    )
    funder_x, funder_y = FunderFactory(name="Financeur X"), FunderFactory(name="Financeur Y")
    agreement_x = AgreementFactory(funder=funder_x, campuses=[campus_a])
    AgreementFactory(funder=funder_y, campuses=[campus_b])
    # As in production, where the index is kept up to date: Wagtail then refuses to delete funder X itself.
    ReferenceIndex.create_or_update_for_object(agreement_x)
    users = {
        "learner": learner.user,
        "other_learner": other_learner.user,
        "staff_a": UserFactory(staff_of=campus_a),
        "staff_b": UserFactory(staff_of=campus_b),
        "funder_x": funder_user(funder_x),
        "funder_y": funder_user(funder_y),
        "superuser": UserFactory(superuser=True),
    }

    referral_a = Referral.objects.create(
        campus=campus_a,
        partner_name="Mission Locale",
        first_name="Inès",
        last_name="Orientée",
        email="ines@orientee.example",
        referred_on=timezone.localdate(),
    )
    export_job_x = DataJob.objects.create(
        direction=DataJob.Direction.EXPORT,
        kind="participants",
        file_format="csv",
        requested_by=users["funder_x"],
        subject=agreement_x,
        state=DataJob.State.DONE,
        params={"debut": "2026-01-01", "fin": "2026-12-31", "file_name": "participants.csv"},
    )
    export_job_x.result.save("participants.csv", ContentFile(b"pseudonyme\nP-ABC\n"))
    import_jobs = {
        f"import_job_{kind}": DataJob.objects.create(
            direction=DataJob.Direction.IMPORT,
            kind=kind,
            file_format="csv",
            requested_by=users["staff_a"],
            campus=campus_a,
            # Failed: confirming it answers "no longer to confirm", cancelling it deletes it.
            state=DataJob.State.FAILED,
        ).pk
        for kind in ["conventions", "suivis", "orientations"]
    }
    failed_task = DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="home.mail.deliver_email",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="ConnectionRefusedError",
        traceback="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    ids = {
        "campus_a": campus_a.pk,
        "failed_task": failed_task.pk,
        "campus_index": campus_a.get_parent().pk,
        "session_a": session_a.pk,
        "formation_a": session_a.formation_id,
        "session_a_day": session_a.half_days()[0].day.isoformat(),
        "application_a": application_a.pk,
        "payment_a": payment_a.pk,
        "referral_a": referral_a.pk,
        "agreement_x": agreement_x.pk,
        "funder_x": funder_x.pk,
        "export_job_x": export_job_x.pk,
        "survey_token": survey_token,
        "guardian_token": GuardianConsentToken.objects.issue(learner),
        "qpv": QpvFactory().pk,
        "rome_code": RomeCodeFactory().pk,
        "domain": DomainFactory().pk,
        "certification": CertificationFactory().pk,
        **import_jobs,
    }
    return ids, users
