"""Codes and abbreviations explained where they appear, from the one glossary (home/glossary.py)."""

from django import template
from django.utils.html import format_html

from home import glossary

register = template.Library()


@register.simple_tag
def abbr(slug, text=""):
    """`{% abbr "qpv" %}` → <abbr title="quartier prioritaire de la politique de la ville">QPV</abbr>."""
    entry = glossary.term(slug)
    return format_html('<abbr title="{}">{}</abbr>', entry.expansion, text or entry.abbreviation)


@register.simple_tag
def glossary_url(slug):
    """The address of an entry of the glossary page: `/glossaire/#rncp`."""
    return glossary.term(slug).anchor_url


@register.simple_tag
def glossary_link(slug, text=""):
    """A link to the entry, its text the words the abbreviation stands for (or the term)."""
    entry = glossary.term(slug)
    return format_html('<a href="{}">{}</a>', entry.anchor_url, text or entry.expansion or entry.term)


@register.filter
def abbr_code(code):
    """ "RNCP37674" → <abbr title="Répertoire national…">RNCP</abbr>37674; a code with no entry is left as it is."""
    entry, rest = glossary.split_code(code)
    if entry is None:
        return code
    return format_html('<abbr title="{}">{}</abbr>{}', entry.expansion, entry.abbreviation, rest)
