"""The public, read-only API that partner sites reuse the offers from (Wagtail API v2, docs/api.md).

Only live pages that anybody may see, whoever asks: the answer is the same for everyone, so proxies may keep it a
few minutes. A page type adds its own queryset, filters and fields through the `register_api_page_type` hook
(formations registers the catalogue's filters), so this base app names no app above it.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from wagtail import hooks
from wagtail.api.v2.filters import FieldsFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet

# Partner sites refresh often enough; a change in the admin shows in the API within this many seconds.
API_CACHE_SECONDS = 300


class PageTypeAPI:
    """What a page type adds to the pages endpoint when `?type=` names it. Subclasses set `model`."""

    model = None
    # The query parameters of the type's own filters.
    query_parameters = frozenset()
    # Wagtail's filters by field (`?title=…`) and its full-text search (`?search=`): off when the type's own
    # filters are the one way to filter it.
    wagtail_filters = True

    def get_queryset(self, request, queryset):
        """The type's pages, with what their fields read, in a constant number of queries."""
        return queryset

    def filter_queryset(self, request, queryset):
        return queryset

    def prepare(self, pages):
        """The step after pagination, on the page of results only (e.g. one query for all their parents)."""
        return pages


def page_type_apis():
    return {api.model: api for api in (hook() for hook in hooks.get_hooks("register_api_page_type"))}


class FilterError(BadRequestError):
    """A filter's value not understood: each parameter with why, for the partner's developer to read."""

    def __init__(self, errors):
        self.errors = errors
        details = " ; ".join(f"{name} : {' '.join(messages)}" for name, messages in errors.items())
        super().__init__(_("Filtre non compris. %(details)s") % {"details": details})


def field_value_errors(model, name, value):
    """Why a value cannot filter a field (`?latitude=abc`, an id past the database's integers), or []."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return []
    # A relation filters on the key of the model it points to.
    field = getattr(field, "target_field", field)
    try:
        value = field.to_python(value)
    except ValidationError as error:
        return error.messages
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if (low is not None and value < low) or (high is not None and value > high):
            return [_("Ce nombre est trop grand.")]
    return []


class PageTypeFieldsFilter(FieldsFilter):
    """Wagtail's filters by field, off for a type with its own filters, and a bad value refused (400), not a 500."""

    def filter_queryset(self, request, queryset, view):
        api = view.page_type_api(queryset.model)
        if api is not None and not api.wagtail_filters:
            return queryset
        fields = set(view.get_available_fields(queryset.model, db_fields_only=True))
        errors = {
            name: messages
            for name, value in request.GET.items()
            if name in fields and (messages := field_value_errors(queryset.model, name, value))
        }
        if errors:
            raise FilterError(errors)
        return super().filter_queryset(request, queryset, view)


class JSONOnly(BaseContentNegotiation):
    """Always JSON, whatever the Accept header or `?format=` (the catalogue's filter by modality) asks."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PublicPagesAPIViewSet(PagesAPIViewSet):
    # JSON only: the browsable API's HTML would need its own scripts and styles past the site's security policy.
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly
    # Nobody logs in here: no password tried outside the one login (its limits and lock-out), no answer per person.
    authentication_classes = []
    permission_classes = []
    filter_backends = [
        PageTypeFieldsFilter if backend is FieldsFilter else backend for backend in PagesAPIViewSet.filter_backends
    ]

    def page_type_api(self, model):
        if not hasattr(self, "_page_type_apis"):
            self._page_type_apis = page_type_apis()
        return self._page_type_apis.get(model)

    def get_base_queryset(self):
        # Wagtail's lets in a page whose password this browser gave; public() leaves out every restricted page.
        # Built once a request: Wagtail asks for it three times, and each reads the restrictions.
        if not hasattr(self, "_base_queryset"):
            self._base_queryset = super().get_base_queryset().public()
        return self._base_queryset.all()

    def get_queryset(self):
        # The locale: a meta field of every page (`?fields=*`), read with the page.
        queryset = super().get_queryset().select_related("locale")
        if (api := self.page_type_api(queryset.model)) is not None:
            queryset = api.get_queryset(self.request, queryset)
        return queryset

    def check_query_parameters(self, queryset):
        api = self.page_type_api(queryset.model)
        if api is None:
            return super().check_query_parameters(queryset)
        allowed = self.known_query_parameters | api.query_parameters
        if api.wagtail_filters:
            allowed |= set(self.get_available_fields(queryset.model, db_fields_only=True))
        else:
            allowed -= {"search", "search_operator"}
        if unknown := set(self.request.GET) - allowed:
            raise BadRequestError(
                _("Paramètre inconnu : %(names)s. Les filtres de ce type : %(filters)s.")
                % {
                    "names": ", ".join(sorted(unknown)),
                    "filters": ", ".join(sorted(allowed - self.known_query_parameters)),
                }
            )

    def filter_queryset(self, queryset):
        if (api := self.page_type_api(queryset.model)) is not None:
            queryset = api.filter_queryset(self.request, queryset)
        return super().filter_queryset(queryset)

    def paginate_queryset(self, queryset):
        pages = super().paginate_queryset(queryset)
        if (api := self.page_type_api(queryset.model)) is not None:
            pages = api.prepare(list(pages))
        return pages

    def handle_exception(self, exc):
        if isinstance(exc, FilterError):
            return Response({"message": str(exc), "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            patch_cache_control(response, public=True, max_age=API_CACHE_SECONDS)
        return response


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
