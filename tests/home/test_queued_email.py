"""E-mail goes through the task worker: a mail server that is down delays a message, and it arrives once."""

import email

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.home.smtp_server import SmtpServer
from tests.home.worker_helpers import DATABASE_TASKS, run_worker
from tests.servers import free_port


@pytest.fixture
def smtp_port():
    port = free_port()
    with override_settings(
        TASKS=DATABASE_TASKS,
        EMAIL_BACKEND="home.mail.QueuedEmailBackend",
        EMAIL_DELIVERY_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=5,
    ):
        yield port


def test_a_message_waits_for_the_mail_server_then_arrives_once(smtp_port):
    sent = mail.send_mail("Votre candidature", "Bonjour Léa", None, ["lea.martin@exemple.fr"])
    assert sent == 1  # queued: the page that sent it is not kept waiting, nor broken

    run_worker()  # the server is down: the connection is refused
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.READY
    assert "ConnectionRefusedError" in row.traceback
    assert row.run_after > timezone.now()

    with SmtpServer(smtp_port) as server:
        run_worker()  # not yet due: nothing leaves
        assert server.messages == []
        DBTaskResult.objects.update(run_after=timezone.now())  # the wait is over
        run_worker()
        run_worker()

    assert len(server.messages) == 1
    received = email.message_from_bytes(server.messages[0]["data"])
    assert received["Subject"] == "Votre candidature"
    assert server.messages[0]["to"] == ["<lea.martin@exemple.fr>"]
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(row.worker_ids) == 2


def test_a_message_keeps_its_identity_from_one_attempt_to_the_next(smtp_port):
    message = mail.EmailMultiAlternatives(
        "Code de connexion", "Votre code : 123456", None, ["lea.martin@exemple.fr"], cc=["equipe@exemple.fr"]
    )
    message.attach_alternative("<p>Votre code : <b>123456</b></p>", "text/html")
    message.attach("convocation.pdf", b"%PDF-1.4 convocation", "application/pdf")
    message.send()
    queued = DBTaskResult.objects.get().args_kwargs["args"][0]

    with SmtpServer(smtp_port) as server:
        run_worker()

    received = email.message_from_bytes(server.messages[0]["data"])
    assert received["Message-ID"] == queued["headers"]["Message-ID"]
    assert received["Date"] == queued["headers"]["Date"]
    assert received["Cc"] == "equipe@exemple.fr"
    parts = {part.get_content_type(): part for part in received.walk()}
    assert "Votre code : <b>123456</b>" in parts["text/html"].get_payload(decode=True).decode()
    assert parts["application/pdf"].get_payload(decode=True) == b"%PDF-1.4 convocation"


def test_a_server_that_stays_down_leaves_the_message_in_the_failed_tasks(smtp_port):
    mail.send_mail("Votre candidature", "Bonjour Léa", None, ["lea.martin@exemple.fr"])
    for _attempt in range(8):
        run_worker()
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 8


def test_a_message_without_recipients_is_not_queued(smtp_port):
    assert mail.EmailMessage("Sans destinataire", "Rien", None, []).send() == 0
    assert not DBTaskResult.objects.exists()
