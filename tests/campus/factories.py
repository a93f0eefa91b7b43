import factory
import wagtail_factories
from django.contrib.auth import get_user_model

from campus.models import CampusIndexPage, CampusPage, Qpv
from tests.home.factories import site_home_page


def default_campus_index():
    index = CampusIndexPage.objects.first()
    if index is None:
        index = site_home_page().add_child(instance=CampusIndexPage(title="Campus", slug="campus"))
    return index


class QpvFactory(factory.django.DjangoModelFactory):
    code = factory.Sequence(lambda n: f"QP093{n:03d}")
    name = factory.Sequence(lambda n: f"Quartier {n}")
    communes = "Aubervilliers"
    insee_codes = "93001"
    department = "93"

    class Meta:
        model = Qpv
        django_get_or_create = ["code"]


class CampusPageFactory(wagtail_factories.PageFactory):
    parent = factory.LazyFunction(default_campus_index)
    title = factory.Sequence(lambda n: f"Campus numérique n° {n}")
    slug = factory.Sequence(lambda n: f"campus-{n}")
    street_address = "12 rue du Landy"
    postcode = "93300"
    commune = "Aubervilliers"
    insee_code = "93001"
    latitude = "48.914600"
    longitude = "2.382100"
    email = "contact@campus.example"

    class Meta:
        model = CampusPage


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `staff_of=campus` puts them in that campus's staff group."""

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@tremplin.example")
    password = factory.django.Password("tremplin")

    class Meta:
        model = get_user_model()

    class Params:
        superuser = factory.Trait(is_superuser=True, is_staff=True)

    @factory.post_generation
    def staff_of(self, create, campus, **kwargs):
        if create and campus is not None:
            self.groups.add(campus.staff_group)
