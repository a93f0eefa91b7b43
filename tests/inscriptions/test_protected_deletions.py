"""Deleting what applications still point to is refused with a message, never a server error."""

from django.contrib.messages import get_messages
from django.urls import reverse

from formations.models import Session
from tests.campus.factories import UserFactory
from tests.inscriptions.factories import ApplicationFactory


def test_a_session_with_applications_is_not_deleted_and_the_admin_says_why(client):
    application = ApplicationFactory()
    client.force_login(UserFactory(superuser=True))

    response = client.post(reverse("sessions:delete", args=[application.session.pk]))

    assert response.status_code == 302
    assert response.url == reverse("sessions:index")
    assert Session.objects.filter(pk=application.session.pk).exists()
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        f"« {application.session} » ne peut pas être supprimé : des candidatures y sont rattachées."
    ]
