"""Campus pages in the public API (home/api.py): their quartier read with them."""

from campus.models import CampusPage
from home.api import PageTypeAPI


class CampusPageAPI(PageTypeAPI):
    model = CampusPage

    def get_queryset(self, request, queryset):
        return queryset.select_related("qpv")
