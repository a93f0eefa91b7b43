"""The demo's formations come with pictures drawn at seed time, described, and shared between campuses."""

import pytest
from django.core.management import call_command
from wagtail.images import get_image_model

from formations.models import FormationPage

pytestmark = pytest.mark.django_db


def test_the_demo_formations_have_described_images_drawn_once_per_kind_of_formation():
    call_command("seed_demo", no_users=True, verbosity=0)
    call_command("seed_demo", no_users=True, verbosity=0)

    formations = FormationPage.objects.all()
    assert formations.count() == formations.filter(image__isnull=False).count() > 0
    assert not formations.filter(image_alt="").exists()
    images = get_image_model().objects.all()
    assert images.count() == formations.values("slug").distinct().count()
    assert all((image.width, image.height) == (1200, 750) for image in images)
