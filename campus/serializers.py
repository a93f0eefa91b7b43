"""How a campus reads in the public API (docs/api.md)."""

from rest_framework.fields import Field


class QpvField(Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, qpv):
        return {"code": qpv.code, "name": qpv.name, "communes": qpv.communes}
