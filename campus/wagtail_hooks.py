from wagtail.snippets.models import register_snippet

from campus.viewsets import QpvViewSet

register_snippet(QpvViewSet)
