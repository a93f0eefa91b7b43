import datetime
import functools
import io

import factory
import wagtail_factories
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, streamfield

from formations.enums import CertificationLevel, EntryLevel, Format, Repertoire
from formations.models import Certification, Domain, FormationPage, RomeCode, Session
from home.money import cents_to_euros_text
from tests.campus.factories import CampusPageFactory


class RomeCodeFactory(factory.django.DjangoModelFactory):
    code = factory.Sequence(lambda n: f"M{1800 + n % 200:04d}" if n < 200 else f"K{1000 + n:04d}")
    label = factory.Sequence(lambda n: f"Métier {n}")

    class Meta:
        model = RomeCode
        django_get_or_create = ["code"]


class DomainFactory(factory.django.DjangoModelFactory):
    formacode = factory.Sequence(lambda n: f"{31000 + n:05d}")
    label = factory.Sequence(lambda n: f"Domaine {n}")

    class Meta:
        model = Domain
        django_get_or_create = ["formacode"]


class CertificationFactory(factory.django.DjangoModelFactory):
    code = factory.Sequence(lambda n: f"RNCP{37000 + n}")
    repertoire = Repertoire.RNCP
    title = factory.Sequence(lambda n: f"Titre professionnel {n}")
    level = CertificationLevel.LEVEL_5

    class Meta:
        model = Certification
        django_get_or_create = ["code"]


class FormationPageFactory(wagtail_factories.PageFactory):
    parent = factory.SubFactory(CampusPageFactory)
    title = factory.Sequence(lambda n: f"Formation {n}")
    slug = factory.Sequence(lambda n: f"formation-{n}")
    summary = "Une formation pour apprendre un métier du numérique."
    duration_hours = 400

    class Meta:
        model = FormationPage

    class Params:
        draft = factory.Trait(live=False)

    @factory.post_generation
    def session_price(self, create, euros, **kwargs):
        """A formation costs what its sessions ask: `session_price=290` gives it an upcoming session at 290 €."""
        if create and euros is not None:
            SessionFactory(formation=self, price_cents=euros * 100)

    @factory.post_generation
    def paid(self, create, paid, **kwargs):
        """`paid=True`: an upcoming session at 1 290 €."""
        if create and paid:
            SessionFactory(formation=self, price_cents=129000)

    @factory.post_generation
    def target_jobs(self, create, jobs, **kwargs):
        if create and jobs:
            self.target_jobs.set(jobs)
            self.save()


def today():
    return timezone.localdate()


class SessionFactory(factory.django.DjangoModelFactory):
    formation = factory.SubFactory(FormationPageFactory)
    start_date = factory.LazyFunction(lambda: today() + datetime.timedelta(days=30))
    end_date = factory.LazyAttribute(lambda session: session.start_date + datetime.timedelta(days=90))
    application_deadline = factory.LazyAttribute(lambda session: session.start_date - datetime.timedelta(days=7))
    capacity = 12

    class Meta:
        model = Session

    class Params:
        past = factory.Trait(
            start_date=factory.LazyFunction(lambda: today() - datetime.timedelta(days=30)),
        )
        # Over for more than the grace period after which an exit nobody recorded is closed by the system.
        ended = factory.Trait(
            start_date=factory.LazyFunction(lambda: today() - datetime.timedelta(days=150)),
            end_date=factory.LazyFunction(lambda: today() - datetime.timedelta(days=60)),
        )
        full = factory.Trait(seats_taken=factory.SelfAttribute("capacity"))
        deadline_passed = factory.Trait(
            start_date=factory.LazyFunction(lambda: today() + datetime.timedelta(days=3)),
            application_deadline=factory.LazyFunction(lambda: today() - datetime.timedelta(days=1)),
        )
        closed = factory.Trait(applications_open=False)


def timetable_form_data(session):
    """The session's timetable as the edit form posts it: a checkbox per class day, times as HH:MM."""

    def hhmm(value):
        return value.strftime("%H:%M") if value else ""

    return {
        "class_days": list(session.class_days),
        **{name: hhmm(getattr(session, name)) for name in TIMETABLE_TIMES},
    }


TIMETABLE_TIMES = ("morning_start", "morning_end", "afternoon_start", "afternoon_end")


def session_form_data(session, **changes):
    """What the staff's session edit form posts for `session` as it is, with `changes` (e.g. capacity=12)."""
    data = {
        "formation": session.formation.pk,
        "start_date": session.start_date.isoformat(),
        "end_date": session.end_date.isoformat(),
        "application_deadline": session.application_deadline.isoformat(),
        "capacity": str(session.capacity),
        "schedule": session.schedule,
        "price_cents": cents_to_euros_text(session.price_cents),
        "fee_kind": session.fee_kind,
        "schedule_details": "",
        "applications_open": "on",
    }
    data |= timetable_form_data(session)
    return {**data, **{name: str(value) for name, value in changes.items()}}


@functools.cache
def photo_bytes(seed, width, height):
    from demo.images import photo_like_jpeg

    return photo_like_jpeg(seed, width, height)  # Drawn once per test process: it takes a third of a second.


def photo(seed=0, width=1600, height=1000, collection=None):
    """A Wagtail image from a photo-like JPEG (demo/images.py), heavy as a real photograph once compressed."""
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    image = get_image_model()(
        title=f"Photo {seed}",
        file=ImageFile(io.BytesIO(photo_bytes(seed, width, height)), name=f"photo-{seed}.jpg"),
        collection=collection or Collection.get_first_root_node(),
    )
    image.save()
    return image


def formation_admin_form(**fields):
    """What the admin's form for a new formation posts: a complete formation, with `fields` changed."""
    return nested_form_data(
        {
            "title": "Cybersécurité",
            "slug": "cybersecurite",
            "summary": "Protéger les ordinateurs et les réseaux.",
            "duration_hours": 420,
            "format": Format.ON_SITE,
            "entry_level": EntryLevel.LEVEL_4,
            "prerequisites": "",
            "domain": "",
            "certification": "",
            "accessibility_referent_name": "",
            "accessibility_referent_email": "",
            "accessibility_referent_phone": "",
            "body": streamfield([]),
            **fields,
        }
    )
