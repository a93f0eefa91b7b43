from wagtail.snippets.views.snippets import SnippetViewSet

from campus.models import Qpv


class QpvViewSet(SnippetViewSet):
    model = Qpv
    icon = "site"
    list_display = ["code", "name", "communes", "department"]
    search_fields = ["code", "name", "communes"]
    list_filter = ["department"]
