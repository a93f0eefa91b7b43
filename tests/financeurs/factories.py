import datetime
import decimal

import factory
from django.utils import timezone

from financeurs.enums import FunderKind
from financeurs.models import Agreement, Funder, IndicatorTarget
from tests.campus.factories import UserFactory


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


class FunderFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Financeur {n}")
    kind = FunderKind.REGION

    class Meta:
        model = Funder

    @factory.post_generation
    def members(self, create, users, **kwargs):
        if create and users:
            self.members.add(*users)


def funder_user(funder, **kwargs):
    """An account that belongs to `funder` and to no campus."""
    user = UserFactory(**kwargs)
    funder.members.add(user)
    return user


class AgreementFactory(factory.django.DjangoModelFactory):
    """A year-long agreement around today. Pass campuses=[...] (required), formations=[...], sessions=[...]."""

    funder = factory.SubFactory(FunderFactory)
    reference = factory.Sequence(lambda n: f"CONV-2026-{n:04d}")
    title = factory.Sequence(lambda n: f"Convention numérique {n}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    amount = decimal.Decimal("120000.00")
    seats_funded = 40

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    @factory.post_generation
    def campuses(self, create, campuses, **kwargs):
        if create and campuses:
            self.campuses.set(campuses)

    @factory.post_generation
    def formations(self, create, formations, **kwargs):
        if create and formations:
            self.formations.set(formations)

    @factory.post_generation
    def sessions(self, create, sessions, **kwargs):
        if create and sessions:
            self.sessions.set(sessions)

    @factory.post_generation
    def targets(self, create, targets, **kwargs):
        """targets={"sorties_positives_6_mois": 60, "part_femmes": 30}"""
        if create and targets:
            for indicator, value in targets.items():
                IndicatorTarget.objects.create(agreement=self, indicator=indicator, value=decimal.Decimal(value))
