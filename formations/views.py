from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from formations.filters import FormationFilterSet
from formations.models import FormationPage


def catalogue(request):
    filterset = FormationFilterSet(request.GET, queryset=FormationPage.objects.for_catalogue(), request=request)
    page = Paginator(filterset.qs, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = FormationPage.attach_campuses(page.object_list)
    return render(
        request,
        "formations/catalogue.html",
        {"filterset": filterset, "form": filterset.form, "page_obj": page, "result_count": page.paginator.count},
    )
