"""How a formation reads in the public API (docs/api.md): plain data, with codes and their French labels."""

from decimal import Decimal

from django.utils import timezone
from rest_framework.fields import Field

from formations.enums import ApplicationState, CertificationLevel, FeeKind, Schedule


def euros(cents):
    # A string, as Django REST framework writes decimals: money is never a float.
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def choice(enum, value):
    if value in (None, ""):
        return None
    return {"code": value, "label": str(enum(value).label)}


class ChoiceField(Field):
    """A field with choices as its code and its label: {"code": "sur_place", "label": "Sur place"}."""

    def __init__(self, enum, **kwargs):
        self.enum = enum
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return choice(self.enum, value)


class PageField(Field):
    """A field computed from the whole page."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return instance


def session_data(session, today):
    return {
        "id": session.pk,
        "start_date": session.start_date.isoformat(),
        "end_date": session.end_date.isoformat(),
        "application_deadline": session.application_deadline.isoformat(),
        "schedule": choice(Schedule, session.schedule),
        "schedule_details": session.schedule_details,
        "price_euros": euros(session.price_cents),
        "fee_kind": choice(FeeKind, session.fee_kind),
        "capacity": session.capacity,
        "seats_left": session.seats_left,
        "application_state": choice(ApplicationState, session.application_state(today)),
    }


class SessionsField(PageField):
    def to_representation(self, page):
        today = timezone.localdate()
        return [session_data(session, today) for session in page.upcoming_sessions]


class CampusField(PageField):
    def to_representation(self, page):
        campus = page.campus
        if campus is None:
            return None
        return {
            "id": campus.pk,
            "title": campus.title,
            "commune": campus.commune,
            "postcode": campus.postcode,
            "url": campus.get_full_url(self.context.get("request")),
        }


class CertificationField(Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, certification):
        return {
            "repertoire": certification.repertoire,
            "code": certification.code,
            "title": certification.title,
            "level": choice(CertificationLevel, certification.level),
            "url": certification.official_url,
        }


class DomainField(Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, domain):
        return {"formacode": domain.formacode, "label": domain.label}


class TargetJobsField(PageField):
    def to_representation(self, page):
        # all(): the prefetched jobs when the listing prefetched them.
        return [{"code": job.code, "label": job.label} for job in page.target_jobs.all()]


class PriceRangeField(PageField):
    def to_representation(self, page):
        prices = page.price_range
        if prices is None:
            return None
        return {"lowest_euros": euros(prices.lowest), "highest_euros": euros(prices.highest), "text": str(prices)}
