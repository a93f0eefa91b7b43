from wagtail import hooks
from wagtail.snippets.models import register_snippet

from campus.api import CampusPageAPI
from campus.viewsets import QpvViewSet

register_snippet(QpvViewSet)


@hooks.register("register_api_page_type")
def campus_api():
    return CampusPageAPI()
