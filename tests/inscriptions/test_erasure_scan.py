"""After a whole life in Tremplin, an erased person is found nowhere: not in any table, not in any stored file."""

import datetime

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.utils import timezone
from wagtail.log_actions import log

from financeurs import exports
from financeurs.indicators import Period
from financeurs.tasks import start_export_job
from formations.enums import FeeKind
from inscriptions.enums import FollowUpMilestone, Placement
from inscriptions.models import FollowUpSurvey, Payment, PaymentMethod, PaymentStatus, Referral, Refund, StripeEvent
from inscriptions.payments import minimised
from inscriptions.services import add_staff_note, erase_learner, record_follow_up
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.financeurs.factories import AgreementFactory, funder_user
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to
from tests.transferts.test_import_reading import csv_bytes
from transferts.jobs import confirm_job, preview_job, write_job
from transferts.models import DataJob

FIRST_NAME, LAST_NAME = "Zéphyrine", "Quenouille"
EMAIL = "zephyrine.quenouille@courriel.example"
PHONE = "0698765432"
BIRTH_DATE = datetime.date(1999, 2, 27)
# The birth date as files and import previews write it, too.
TEXT_NEEDLES = [FIRST_NAME, LAST_NAME, EMAIL, PHONE, "zephyrine", "27/02/1999", "1999-02-27"]
REFERRALS_HEADER = ["Nom", "Prénom", "E-mail", "Téléphone", "Date de naissance", "Code postal", "Structure"]
REFERRALS_HEADER += ["Type de structure", "Conseiller·ère", "Formation envisagée", "Orienté·e le"]
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def referral_import(campus, staff, *, written):
    """A partner's list naming her among others, imported by the staff (`written`) or left at its preview."""
    rows = [
        REFERRALS_HEADER,
        [
            LAST_NAME,
            FIRST_NAME,
            EMAIL,
            PHONE,
            "27/02/1999",
            "93200",
            "Mission Locale",
            "Mission Locale",
            "",
            "",
            "05/01/2026",
        ],
        [
            "Diallo",
            "Awa",
            "awa.diallo@exemple.fr",
            "0612345678",
            "14/03/2005",
            "93200",
            "Mission Locale",
            "Mission Locale",
        ]
        + ["", "", "05/01/2026"],
    ]
    job = DataJob.objects.create(
        direction=DataJob.Direction.IMPORT, kind="orientations", file_format="csv", requested_by=staff, campus=campus
    )
    job.source.save("orientations.csv", ContentFile(csv_bytes(rows)))
    preview_job(job)
    assert job.state == DataJob.State.PREVIEW, job.errors
    if written:
        confirm_job(job)
        write_job(job)
        assert job.state == DataJob.State.DONE, job.errors
    return job


def a_whole_life():
    """Referred by a partner, applied with a CV, paid and was refunded, trained, followed up, talked about; named
    in a funder's file and in the staff's imports of partners' lists."""
    session = SessionFactory(past=True, price_cents=5000, fee_kind=FeeKind.FEE)
    staff = UserFactory(staff_of=session.campus)
    learner = LearnerFactory(
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        user__email=EMAIL,
        phone=PHONE,
        birth_date=BIRTH_DATE,
        guardian_name=f"Parent de {FIRST_NAME}",
        named_data_consent_at=timezone.now(),
    )
    Referral.objects.create(
        campus=session.campus,
        partner_name="Mission Locale",
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        email=EMAIL.upper(),
        phone=PHONE,
        birth_date=BIRTH_DATE,
        referred_on=datetime.date(2026, 1, 5),
    )
    application = ApplicationFactory(
        learner=learner,
        session=session,
        motivation=f"Je m'appelle {FIRST_NAME}.",
        cv=ContentFile(f"%PDF-1.4 CV de {FIRST_NAME} {LAST_NAME}, {EMAIL}\n%%EOF\n".encode(), name="cv.pdf"),
    )
    log(application, "wagtail.edit", user=staff)
    payment = Payment.objects.create(
        application=application,
        amount_cents=5000,
        fee_kind=FeeKind.FEE,
        method=PaymentMethod.STRIPE,
        status=PaymentStatus.PAID,
        paid_at=timezone.now(),
    )
    Refund.objects.create(payment=payment, amount_cents=1000, reason=f"Geste pour {FIRST_NAME} {LAST_NAME}")
    StripeEvent.objects.create(
        event_id="evt_vie_entiere",
        type="checkout.session.completed",
        payload=minimised(
            {
                "id": "evt_vie_entiere",
                "type": "checkout.session.completed",
                "data": {"object": {"id": "cs_1", "customer_details": {"email": EMAIL, "name": LAST_NAME}}},
            }
        ),
    )
    move_to(application, Status.COMPLETED, actor=staff)
    add_staff_note(application, author=staff, text=f"{FIRST_NAME} parle très bien.")
    record_follow_up(application, FollowUpMilestone.EXIT, placement=Placement.CDI, employer=f"Chez {LAST_NAME}")
    FollowUpSurvey.objects.create(
        application=application,
        milestone=FollowUpMilestone.SIX_MONTHS,
        token_hash="0" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    agreement = AgreementFactory(
        campuses=[session.campus],
        requires_named_data=True,
        start_date=session.start_date,
        end_date=session.end_date,
    )
    start_export_job(
        funder_user(agreement.funder), exports.PARTICIPANTS, agreement, Period.of_agreement(agreement), "csv"
    )
    referral_import(session.campus, staff, written=True)
    referral_import(session.campus, staff, written=False)
    browser = Client()
    browser.force_login(learner.user)
    # A session holds what allauth keeps between two steps of a login, the e-mail among them.
    stored = browser.session
    stored["dernier_code_envoye_a"] = EMAIL
    stored.save()
    return learner


def rows_naming_her():
    """(model, field, count) for every text or date column, in every table, that still holds something of hers."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                column = field.name
                queryset = model._base_manager.all()
                if isinstance(field, models.JSONField):
                    queryset = queryset.annotate(as_text=Cast(field.name, models.TextField()))
                    column = "as_text"
                for needle in TEXT_NEEDLES:
                    count = queryset.filter(**{f"{column}__icontains": needle}).count()
                    if count:
                        found.append((model.__name__, field.name, needle, count))
            elif type(field) is models.DateField:
                count = model._base_manager.filter(**{field.name: BIRTH_DATE}).count()
                if count:
                    found.append((model.__name__, field.name, str(BIRTH_DATE), count))
    # Sessions are stored encoded: read them as Django does.
    for session in Session.objects.all():
        decoded = str(session.get_decoded()).lower()
        found += [("Session", "session_data", needle, 1) for needle in TEXT_NEEDLES if needle.lower() in decoded]
    return found


def files_naming_her():
    storage = storages["private"]
    found, folders = [], [""]
    while folders:
        folder = folders.pop()
        subfolders, files = storage.listdir(folder)
        folders += [f"{folder}/{name}".lstrip("/") for name in subfolders]
        for name in files:
            path = f"{folder}/{name}".lstrip("/")
            with storage.open(path, "rb") as stored:
                content = stored.read().decode("utf-8", "ignore").lower()
            found += [(path, needle) for needle in TEXT_NEEDLES if needle.lower() in content]
    return found


def test_after_erasure_nothing_in_any_table_or_file_names_the_person(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        learner = a_whole_life()
    # The scan sees her before: in the tables, in the funder's file and in the pending import's upload.
    assert rows_naming_her() and files_naming_her()
    export = DataJob.objects.get(direction=DataJob.Direction.EXPORT)
    assert FIRST_NAME in export.result.read().decode()
    assert any(path == DataJob.objects.get(state=DataJob.State.PREVIEW).source.name for path, _ in files_naming_her())

    with django_capture_on_commit_callbacks(execute=True):
        erase_learner(learner)

    assert rows_naming_her() == []
    assert files_naming_her() == []
