"""Sections a higher app adds to every formation page, such as the funders' results of those who did it.

Formations sits below the apps that hold those figures and may not import them: each of them registers a
provider in its AppConfig.ready(), and the page asks the registry. Registration order is the page's order.
"""

from dataclasses import dataclass, field

_providers = []


@dataclass(frozen=True)
class PageSection:
    """A template to include on the formation page, with its own context (under the name `section`)."""

    template_name: str
    context: dict = field(default_factory=dict)


def register_page_section(provider):
    """Add `provider(formation, today)` to every formation page: it returns a PageSection, or None for none."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def page_sections(formation, today):
    """The sections of `formation`'s page, in registration order."""
    return [section for provider in _providers if (section := provider(formation, today)) is not None]
