"""Erasing a learner deletes the named participant files made for funders that cover her; the others stay."""

import datetime

import pytest
from django.core.files.storage import storages

from financeurs import exports
from financeurs.indicators import Period
from financeurs.tasks import start_export_job
from inscriptions.services import erase_learner
from tests.campus.factories import CampusPageFactory
from tests.financeurs.factories import AgreementFactory, funder_user
from transferts.models import DataJob

pytestmark = pytest.mark.django_db


def exported(agreement, django_capture_on_commit_callbacks, period=None, kind=exports.PARTICIPANTS):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_export_job(
            funder_user(agreement.funder), kind, agreement, period or Period.of_agreement(agreement), "csv"
        )
    job.refresh_from_db()
    assert job.state == DataJob.State.DONE
    return job


def erase(application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erase_learner(application.learner)


@pytest.fixture
def awa(people):
    return people["awa"]


@pytest.fixture
def named(agreement):
    agreement.requires_named_data = True
    agreement.save()
    return agreement


def test_a_named_file_covering_her_is_deleted_and_asked_again_no_longer_names_her(
    named, awa, django_capture_on_commit_callbacks
):
    job = exported(named, django_capture_on_commit_callbacks)
    name = job.result.name
    assert "Zerbinati" in storages["private"].open(name).read().decode()

    erase(awa, django_capture_on_commit_callbacks)

    assert not DataJob.objects.filter(pk=job.pk).exists()
    assert not storages["private"].exists(name)
    again = exported(named, django_capture_on_commit_callbacks)
    content = again.result.read().decode()
    assert "Zerbinati" not in content and "awa.zerbinati" not in content
    # Still counted, as an anonymous row: only the named columns are empty.
    assert again.summary == job.summary


def test_a_file_of_an_agreement_without_names_stays(agreement, awa, django_capture_on_commit_callbacks):
    job = exported(agreement, django_capture_on_commit_callbacks)

    erase(awa, django_capture_on_commit_callbacks)

    assert DataJob.objects.filter(pk=job.pk).exists()
    assert storages["private"].exists(job.result.name)


def test_named_files_that_do_not_cover_her_stay(named, awa, session, django_capture_on_commit_callbacks):
    # The same agreement over a period her session does not start in, and a named agreement of another campus.
    before = Period(start=named.start_date, end=session.start_date - datetime.timedelta(days=1))
    other_period = exported(named, django_capture_on_commit_callbacks, period=before)
    elsewhere = AgreementFactory(campuses=[CampusPageFactory()], requires_named_data=True)
    other_campus = exported(elsewhere, django_capture_on_commit_callbacks)
    report = exported(named, django_capture_on_commit_callbacks, kind=exports.REPORT)
    covering = exported(named, django_capture_on_commit_callbacks)

    erase(awa, django_capture_on_commit_callbacks)

    assert set(DataJob.objects.all()) == {other_period, other_campus, report}
    assert not DataJob.objects.filter(pk=covering.pk).exists()
