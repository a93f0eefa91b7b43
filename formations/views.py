from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from formations import lheo
from formations.filters import FormationFilterSet, query_parameters
from formations.models import FormationPage
from home import page_cache


def catalogue(request):
    # A card shows no body: decoding twenty StreamFields took a tenth of the page's time.
    formations = FormationPage.catalogue_formations().defer_streamfields()
    filterset = FormationFilterSet(request.GET, queryset=formations, request=request)
    # Sorted and counted on ids: the sessions and prices a card shows are read for the page's cards only.
    ids = filterset.qs.values_list("pk", flat=True)
    page = Paginator(ids, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = FormationPage.attach_campuses(filterset.cards(page.object_list))
    # The same list for every anonymous visitor with the same filters; another parameter is not stored.
    page_cache.mark_cacheable(request, query_parameters(filterset.form))
    return render(
        request,
        "formations/catalogue.html",
        {"filterset": filterset, "form": filterset.form, "page_obj": page, "result_count": page.paginator.count},
    )


@require_safe
def lheo_feed(request):
    """The catalogue's open offers as a LHEO 2.3 document, for Carif-Oref catalogues and France Travail."""
    response = HttpResponse(content_type=lheo.CONTENT_TYPE)
    lheo.write_feed(response)
    response["Cache-Control"] = "public, max-age=3600"
    return response
