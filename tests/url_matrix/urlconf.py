"""Reading the URLconf: every pattern with its full route, and rows for the third-party admin views."""

import dataclasses
import re

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern

from tests.url_matrix.answers import Row, expand


@dataclasses.dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    kwargs: tuple
    args: int


def url_patterns(patterns=None, route="", namespace="", kwargs=(), args=0):
    """Every pattern of the URLconf, with its full route (as `resolve().route` writes it) and its arguments."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        full_route = URLResolver._join_route(route, str(entry.pattern))
        own_kwargs, own_args = pattern_arguments(entry.pattern)
        if isinstance(entry, URLResolver):
            inner_namespace = namespace
            if entry.namespace:
                inner_namespace = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from url_patterns(
                entry.url_patterns, full_route, inner_namespace, kwargs + own_kwargs, args + own_args
            )
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Pattern(full_route, name, kwargs + own_kwargs, args + own_args)


def pattern_arguments(pattern):
    if isinstance(pattern, RegexPattern):
        named = tuple(pattern.regex.groupindex)
        return named, pattern.regex.groups - len(named)
    return tuple(pattern.converters), 0


def sample_path(pattern):
    """An address of a third-party pattern, with placeholder arguments: the door answers before the view."""
    if pattern.name:
        return reverse(pattern.name, args=["1"] * pattern.args, kwargs=dict.fromkeys(pattern.kwargs, "1"))
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", pattern.route)


def is_third_party(route, third_party_prefixes):
    return route.startswith(tuple(third_party_prefixes))


class AnyId(dict):
    def __missing__(self, key):
        # Background tasks are numbered by UUID.
        return "00000000-0000-4000-8000-000000000001" if key == "failed_task" else 1


def route_of(path):
    return resolve(path.split("?")[0]).route


def third_party_rows(rows, third_party_prefixes, third_party_answers, shadowed):
    explicit = {route_of(row.path.format_map(AnyId())) for row in rows}
    return [
        Row("get", sample_path(pattern), expand(third_party_answers))
        for pattern in url_patterns()
        if is_third_party(pattern.route, third_party_prefixes)
        and pattern.route not in explicit
        and (pattern.route, pattern.name) not in shadowed
    ]
