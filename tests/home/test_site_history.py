"""Wagtail's site history lists every campus's activity: only superusers read it."""

from django.urls import reverse
from wagtail.log_actions import log

from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory


def test_a_campus_team_cannot_read_the_site_history_of_other_campuses(client):
    other_campus = SessionFactory()
    application = ApplicationFactory(session=other_campus, learner=LearnerFactory(first_name="Zoé", last_name="Nadir"))
    log(application, "wagtail.edit", user=UserFactory(staff_of=other_campus.campus))
    client.force_login(UserFactory(staff_of=SessionFactory().campus))

    report = client.get(reverse("wagtailadmin_reports:site_history"))
    results = client.get(reverse("wagtailadmin_reports:site_history_results"))
    home = client.get(reverse("wagtailadmin_home")).content.decode()

    assert (report.status_code, results.status_code) == (403, 403)
    assert "Nadir" not in report.content.decode() + results.content.decode()
    assert reverse("wagtailadmin_reports:site_history") not in home


def test_a_superuser_reads_the_site_history(client):
    client.force_login(UserFactory(superuser=True))

    assert client.get(reverse("wagtailadmin_reports:site_history")).status_code == 200
