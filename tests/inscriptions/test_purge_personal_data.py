"""The daily purge: each retention period applied on its day and not the day before, and a stopped run finished by
the next one."""

import datetime
import io
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.storage import storages
from django.core.management import call_command
from django.db.models.signals import post_delete
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry, Page, PageLogEntry

from home.retention import delete_in_batches
from inscriptions import notifications
from inscriptions.management.commands import purge_personal_data
from inscriptions.models import FollowUpSurvey, GuardianConsentToken, Learner, Referral, StripeEvent
from inscriptions.services import retention
from inscriptions.workflow import Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.financeurs.factories import FunderFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory
from tests.transferts.test_purge_data_jobs import job_created
from transferts.models import DataJob

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def days_ago(days, now=None):
    return (now or timezone.now()) - datetime.timedelta(days=days)


def purge():
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    return out.getvalue()


def dormant_learner(days=731, **kwargs):
    """A learner whose last login and last application (refused long ago) are `days` old."""
    learner = LearnerFactory(**kwargs)
    get_user_model().objects.filter(pk=learner.user_id).update(
        last_login=days_ago(days), date_joined=days_ago(days + 10)
    )
    ApplicationFactory(
        learner=learner, status=Status.REFUSED, submitted_at=days_ago(days + 5), status_changed_at=days_ago(days)
    )
    return Learner.objects.get(pk=learner.pk)


# --- Inactive accounts ----------------------------------------------------------------------------


def test_an_account_inactive_for_the_period_is_warned_by_email_with_the_deletion_date(mailoutbox, settings):
    settings.INACTIVE_ACCOUNT_DAYS, settings.INACTIVE_ACCOUNT_NOTICE_DAYS = 730, 30
    learner = dormant_learner(731, first_name="Inès")

    output = purge()

    learner.refresh_from_db()
    assert learner.inactivity_warned_at is not None and learner.anonymised_at is None
    [mail] = mailoutbox
    deletion = timezone.localdate() + datetime.timedelta(days=30)
    assert mail.to == [learner.user.email]
    assert deletion.strftime("%d/%m/%Y") in mail.subject
    assert "Bonjour Inès," in mail.body
    assert "depuis plus de 2 ans" in mail.body
    assert f"supprimés le {deletion.day} " in mail.body
    assert "il suffit de vous connecter" in mail.body
    assert "1 compte(s) inactif(s) prévenu(s), 0 compte(s) inactif(s) anonymisé(s)" in output


def test_an_account_a_day_short_of_the_period_is_not_warned(mailoutbox):
    learner = dormant_learner(729)

    purge()

    learner.refresh_from_db()
    assert learner.inactivity_warned_at is None
    assert mailoutbox == []


def test_a_second_run_does_not_warn_again(mailoutbox):
    dormant_learner()
    purge()

    output = purge()

    assert len(mailoutbox) == 1
    assert "0 compte(s) inactif(s) prévenu(s)" in output


@pytest.mark.parametrize(
    "other_application",
    [
        pytest.param({"status": Status.SUBMITTED}, id="an application waiting for a decision"),
        pytest.param({"status": Status.WAITLISTED}, id="on a waitlist"),
        pytest.param({"status": Status.IN_TRAINING}, id="in training"),
        pytest.param({"status": Status.COMPLETED, "left_on_days": 200}, id="the 12-month follow-up still to come"),
        pytest.param({"status": Status.REFUSED, "recent": True}, id="an application decided last month"),
    ],
)
def test_an_account_with_something_in_progress_or_recent_activity_is_not_warned(mailoutbox, other_application):
    learner = dormant_learner()
    changed = days_ago(30) if other_application.get("recent") else days_ago(800)
    application = ApplicationFactory(
        learner=learner, status=other_application["status"], submitted_at=days_ago(800), status_changed_at=changed
    )
    if "left_on_days" in other_application:
        application.left_on = timezone.localdate() - datetime.timedelta(days=other_application["left_on_days"])
        application.save(update_fields=["left_on"])

    purge()

    assert Learner.objects.get(pk=learner.pk).inactivity_warned_at is None
    assert mailoutbox == []


def test_an_open_follow_up_questionnaire_keeps_the_account(mailoutbox):
    learner = dormant_learner()
    FollowUpSurvey.objects.create(
        application=learner.applications.get(), milestone=12, token_hash=uuid.uuid4().hex * 2, expires_at=days_ago(-5)
    )

    purge()

    assert mailoutbox == []


@pytest.mark.parametrize("kind", ["staff", "superuser", "funder"])
def test_staff_superuser_and_funder_accounts_are_never_warned_nor_erased(mailoutbox, kind):
    learner = dormant_learner()
    user = learner.user
    if kind == "staff":
        user.groups.add(CampusPageFactory().staff_group)
    elif kind == "superuser":
        get_user_model().objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    else:
        FunderFactory().members.add(user)
    Learner.objects.filter(pk=learner.pk).update(inactivity_warned_at=days_ago(60))

    purge()

    learner.refresh_from_db()
    assert mailoutbox == []
    assert learner.anonymised_at is None and learner.user_id == user.pk


def test_a_warned_account_is_erased_once_the_notice_is_over(settings, mailoutbox):
    settings.INACTIVE_ACCOUNT_NOTICE_DAYS = 30
    learner = dormant_learner(761)
    user_pk = learner.user_id
    Learner.objects.filter(pk=learner.pk).update(inactivity_warned_at=days_ago(30))

    output = purge()

    learner.refresh_from_db()
    assert learner.anonymised_at is not None
    assert (learner.user_id, learner.first_name, learner.last_name) == (None, "", "")
    assert not get_user_model().objects.filter(pk=user_pk).exists()
    # The anonymous facts stay: her refused application is still counted.
    assert learner.applications.get().status == Status.REFUSED
    assert "1 compte(s) inactif(s) anonymisé(s)" in output
    assert mailoutbox == []


def test_a_warned_account_is_kept_the_day_before_the_end_of_the_notice(settings):
    settings.INACTIVE_ACCOUNT_NOTICE_DAYS = 30
    learner = dormant_learner(760)
    Learner.objects.filter(pk=learner.pk).update(inactivity_warned_at=days_ago(29))

    purge()

    learner.refresh_from_db()
    assert learner.anonymised_at is None and learner.user_id is not None


def test_a_login_after_the_warning_cancels_it(mailoutbox):
    learner = dormant_learner(761)
    Learner.objects.filter(pk=learner.pk).update(inactivity_warned_at=days_ago(31))
    get_user_model().objects.filter(pk=learner.user_id).update(last_login=days_ago(2))

    output = purge()

    learner.refresh_from_db()
    assert learner.anonymised_at is None and learner.user_id is not None
    assert learner.inactivity_warned_at is None
    assert mailoutbox == []
    assert output.startswith("1 avertissement(s) d’inactivité levé(s)")


def test_an_email_that_fails_records_no_warning_and_is_tried_again(monkeypatch, mailoutbox):
    learner = dormant_learner()

    def refused(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(notifications, "send_mail", refused)
    purge()
    assert Learner.objects.get(pk=learner.pk).inactivity_warned_at is None

    monkeypatch.undo()
    purge()
    assert Learner.objects.get(pk=learner.pk).inactivity_warned_at is not None
    assert len(mailoutbox) == 1


# --- Other periods --------------------------------------------------------------------------------


def test_unused_referrals_go_after_their_period_and_used_ones_stay(settings):
    settings.UNUSED_REFERRAL_DAYS = 365
    campus = CampusPageFactory()

    def referral(days, learner=None):
        return Referral.objects.create(
            campus=campus,
            partner_name="Mission Locale",
            first_name="Awa",
            last_name="Diallo",
            email=f"{uuid.uuid4().hex}@exemple.fr",
            referred_on=timezone.localdate(),
            created_at=days_ago(days),
            learner=learner,
        )

    old, recent, used = referral(366), referral(364), referral(400, learner=LearnerFactory())

    output = purge()

    assert set(Referral.objects.all()) == {recent, used}
    assert not Referral.objects.filter(pk=old.pk).exists()
    assert "1 orientation(s) jamais utilisée(s) supprimée(s)" in output


def test_stripe_events_go_after_their_period(settings):
    settings.STRIPE_EVENT_RETENTION_DAYS = 90
    for name, days in (("old", 91), ("recent", 89)):
        StripeEvent.objects.create(event_id=f"evt_{name}", type="checkout.session.completed", payload={})
        StripeEvent.objects.filter(event_id=f"evt_{name}").update(received_at=days_ago(days))

    output = purge()

    assert list(StripeEvent.objects.values_list("event_id", flat=True)) == ["evt_recent"]
    assert "1 événement(s) Stripe supprimé(s)" in output


def test_admin_history_entries_go_after_their_period(settings):
    settings.LOG_ENTRY_RETENTION_DAYS = 365
    user = UserFactory()
    learner_type = ContentType.objects.get_for_model(Learner)
    page = Page.objects.get(depth=1)
    entries = {}
    for days in (366, 364):
        entries[days] = [
            ModelLogEntry.objects.create(
                content_type=learner_type, object_id="1", label="Awa Diallo", action="wagtail.edit", user=user,
                timestamp=days_ago(days),
            ),
            PageLogEntry.objects.create(
                content_type=page.content_type, page=page, label="Page", action="wagtail.edit", user=user,
                timestamp=days_ago(days),
            ),
        ]  # fmt: skip

    output = purge()

    for old, recent in zip(entries[366], entries[364], strict=True):
        assert not type(old).objects.filter(pk=old.pk).exists()
        assert type(recent).objects.filter(pk=recent.pk).exists()
    assert "2 entrée(s) d’historique supprimée(s)" in output


def test_finished_and_never_run_task_rows_go_after_their_period_and_running_ones_stay(settings):
    settings.TASK_RESULT_RETENTION_DAYS = 7

    def task_row(status, days, finished=True):
        row = DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": ["Sujet", "Corps", "ne-pas-repondre@tremplin.example", ["awa@exemple.fr"]]},
            task_path="home.tasks.send_account_email",
            backend_name="default",
            run_after=days_ago(days),
            exception_class_path="",
            traceback="",
            finished_at=days_ago(days) if finished else None,
        )
        DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=days_ago(days))
        return row.pk

    kept = {
        task_row("SUCCESSFUL", 6),
        task_row("FAILED", 6),
        task_row("READY", 6, finished=False),
        task_row("RUNNING", 30, finished=False),
    }
    task_row("SUCCESSFUL", 8)
    task_row("FAILED", 8)
    task_row("READY", 8, finished=False)

    output = purge()

    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == kept
    assert "3 tâche(s) de fond supprimée(s)" in output


def test_expired_sessions_go_and_open_ones_stay():
    expired, current = SessionStore(), SessionStore()
    expired["dernier_code_envoye_a"] = "awa@exemple.fr"
    expired.set_expiry(days_ago(1))
    expired.save()
    current.set_expiry(3600)
    current.save()

    output = purge()

    assert list(Session.objects.values_list("session_key", flat=True)) == [current.session_key]
    assert "1 session(s) expirée(s) supprimée(s)" in output


def test_guardian_consent_links_go_once_they_no_longer_open_anything(settings):
    settings.GUARDIAN_CONSENT_MAX_AGE_DAYS = 30
    learner = LearnerFactory(minor=True)
    old = GuardianConsentToken.objects.issue(learner, now=days_ago(31))
    recent = GuardianConsentToken.objects.issue(learner, now=days_ago(29))

    output = purge()

    assert GuardianConsentToken.objects.redeemable(old) is None
    assert GuardianConsentToken.objects.redeemable(recent) is not None
    assert GuardianConsentToken.objects.count() == 1
    assert "1 lien(s) d’accord parental expiré(s) supprimé(s)" in output


# --- A run stopped midway -------------------------------------------------------------------------


def old_stripe_events(count):
    for number in range(count):
        StripeEvent.objects.create(event_id=f"evt_{number}", type="checkout.session.completed", payload={})
    StripeEvent.objects.update(received_at=days_ago(400))


def test_a_run_stopped_after_a_kind_is_finished_by_the_next_run(monkeypatch, mailoutbox):
    learner = dormant_learner(761)
    Learner.objects.filter(pk=learner.pk).update(inactivity_warned_at=days_ago(31))
    old_stripe_events(3)

    def killed(now):
        raise KeyboardInterrupt

    steps = list(purge_personal_data.STEPS)
    stripe = next(index for index, (_, step) in enumerate(steps) if step is retention.purge_stripe_events)
    monkeypatch.setattr(purge_personal_data, "STEPS", [*steps[:stripe], ("{}", killed), *steps[stripe:]])
    with pytest.raises(KeyboardInterrupt):
        purge()

    # What ran before the stop is whole: the account erased; what comes after is untouched.
    assert Learner.objects.get(pk=learner.pk).anonymised_at is not None
    assert StripeEvent.objects.count() == 3

    monkeypatch.undo()
    output = purge()

    assert not StripeEvent.objects.exists()
    assert "0 compte(s) inactif(s) anonymisé(s)" in output
    assert "3 événement(s) Stripe supprimé(s)" in output


def test_a_purge_stopped_between_two_batches_keeps_the_first_and_the_next_run_deletes_the_rest():
    old_stripe_events(5)
    deleted = []

    def stop_at_the_third(sender, instance, **kwargs):
        deleted.append(instance.pk)
        if len(deleted) == 3:
            raise KeyboardInterrupt

    post_delete.connect(stop_at_the_third, sender=StripeEvent)
    try:
        with pytest.raises(KeyboardInterrupt):
            delete_in_batches(StripeEvent.objects.all(), batch_size=2)
    finally:
        post_delete.disconnect(stop_at_the_third, sender=StripeEvent)

    # The first batch is gone, the second rolled back whole.
    assert StripeEvent.objects.count() == 3

    assert delete_in_batches(StripeEvent.objects.all(), batch_size=2) == 3
    assert not StripeEvent.objects.exists()


def test_a_second_run_finds_nothing_more_to_do():
    dormant_learner()
    old_stripe_events(2)
    purge()

    output = purge()

    assert output == (
        "0 avertissement(s) d’inactivité levé(s) (connexion depuis), 0 compte(s) inactif(s) prévenu(s), "
        "0 compte(s) inactif(s) anonymisé(s), 0 orientation(s) jamais utilisée(s) supprimée(s), "
        "0 événement(s) Stripe supprimé(s), 0 entrée(s) d’historique supprimée(s), 0 tâche(s) de fond supprimée(s), "
        "0 session(s) expirée(s) supprimée(s), 0 lien(s) d’accord parental expiré(s) supprimé(s), "
        "0 import(s) ou export(s) supprimé(s) avec leurs fichiers.\n"
    )


def test_import_and_export_jobs_past_their_period_go_with_their_files(settings, django_capture_on_commit_callbacks):
    settings.DATA_JOB_RETENTION_DAYS = 7
    user = UserFactory()
    old, recent = job_created(8, user), job_created(6, user)
    old_name = old.result.name

    with django_capture_on_commit_callbacks(execute=True):
        output = purge()

    assert list(DataJob.objects.all()) == [recent]
    assert not storages["private"].exists(old_name)
    assert "1 import(s) ou export(s) supprimé(s) avec leurs fichiers" in output
