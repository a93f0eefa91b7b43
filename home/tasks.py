"""Account e-mails (signup code, "you already have an account", password reset) sent by the background worker."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task

from home.task_retries import retried


@retried()
@task()
def send_account_email(subject, body, from_email, to, alternatives=(), content_subtype="plain"):
    """Arguments are plain text so the database backend can store them; `alternatives` are [content, mimetype]."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    message.content_subtype = content_subtype
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    message.send()
