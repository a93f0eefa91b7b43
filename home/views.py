from django.shortcuts import render
from django.views.decorators.http import require_safe

from home.glossary import TERMS


@require_safe
def glossary(request):
    """The words of training and employment, explained once; pages link to an entry's anchor."""
    return render(request, "home/glossary.html", {"terms": TERMS})
