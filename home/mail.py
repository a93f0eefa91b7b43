"""E-mail through the task worker: a mail server that is down delays a message, it never loses one.

EMAIL_BACKEND = "home.mail.QueuedEmailBackend" turns each message into a background task (`deliver_email`), which
sends it through the backend named by EMAIL_DELIVERY_BACKEND (SMTP in production). The task is retried with growing
waits while the server does not answer (home.task_retries), then listed in « Tâches en échec ».

The message travels as plain data, since the database backend stores task arguments as JSON. Its Date and
Message-ID are fixed when it is queued, so a message retried after an uncertain attempt is recognisably the same.
"""

import base64
import datetime
from email.utils import formatdate

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid
from django_tasks import task

from home.task_retries import retried

QUEUED = "home.mail.QueuedEmailBackend"


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        queued = [message for message in email_messages if message.recipients()]
        for message in queued:
            deliver_email.enqueue(message_to_data(message))
        return len(queued)


@retried(attempts=8, first_delay=datetime.timedelta(minutes=1), max_delay=datetime.timedelta(hours=1))
@task()
def deliver_email(data):
    if settings.EMAIL_DELIVERY_BACKEND == QUEUED:
        raise ImproperlyConfigured("EMAIL_DELIVERY_BACKEND doit nommer le serveur qui envoie, pas la file.")
    message = message_from_data(data)
    message.connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    # A refused connection raises here: the task fails, and is tried again later.
    return message.send()


def message_to_data(message):
    headers = dict(message.extra_headers)
    headers.setdefault("Message-ID", make_msgid())
    headers.setdefault("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME))
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": headers,
        "content_subtype": message.content_subtype,
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": [attachment_to_data(attachment) for attachment in message.attachments],
    }


def message_from_data(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for attachment in data["attachments"]:
        content = base64.b64decode(attachment["content"])
        message.attach(attachment["filename"], content, attachment["mimetype"])
    return message


def attachment_to_data(attachment):
    filename, content, mimetype = attachment
    if isinstance(content, str):
        content = content.encode()
    return {"filename": filename, "content": base64.b64encode(content).decode("ascii"), "mimetype": mimetype}
