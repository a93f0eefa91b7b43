"""Accents and case do not matter in a search: "developpeur" finds "Développeur", "benaissa" finds "Benaïssa".

Young people and staff type without accents. Two tools, one rule:
- the search index (Wagtail's database backend) folds accents itself: SQLite's FTS5 tokenizer (unicode61) removes
  diacritics, and on PostgreSQL the index and the queries use the `french_unaccent` text-search configuration
  (French stemming after the `unaccent` dictionary) and, for autocompletion, `simple_unaccent`; home's migration
  `french_unaccent` creates both (settings: WAGTAILSEARCH_BACKENDS); `indexed_pks` reads what it finds;
- a plain column (a learner's name) is compared through `Unaccent`: PostgreSQL's `unaccent()` function, and on
  SQLite a function of the same name, in Python, registered on each connection.
"""

import unicodedata

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

SEARCH_CONFIG = "french_unaccent"
AUTOCOMPLETE_CONFIG = "simple_unaccent"

# The dictionary `unaccent` is a filter: it hands the unaccented word on to the next dictionary. For the search,
# the French stemmer, so that "développement" and "developpements" meet; for autocompletion (a word's beginning),
# `simple`, which keeps words whole. asciiword has no accent to remove.
CREATE_SEARCH_CONFIG_SQL = f"""
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{SEARCH_CONFIG}') THEN
        CREATE TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG}
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{AUTOCOMPLETE_CONFIG}') THEN
        CREATE TEXT SEARCH CONFIGURATION {AUTOCOMPLETE_CONFIG} (COPY = simple);
        ALTER TEXT SEARCH CONFIGURATION {AUTOCOMPLETE_CONFIG}
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    END IF;
END
$$;
"""
DROP_SEARCH_CONFIG_SQL = f"""
DROP TEXT SEARCH CONFIGURATION IF EXISTS {SEARCH_CONFIG};
DROP TEXT SEARCH CONFIGURATION IF EXISTS {AUTOCOMPLETE_CONFIG};
"""

# Letters that Unicode does not decompose but PostgreSQL's unaccent spells out: the two sides must agree.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def unaccent(text):
    """The text without its accents (not lowered): "Inès Benaïssa" → "Ines Benaissa"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class Unaccent(models.Func):
    function = "unaccent"
    output_field = models.TextField()


def folded(expression):
    """An expression without accents or capitals; unaccent first, since SQLite's lower() only knows ASCII."""
    return Lower(Unaccent(expression))


def register_sqlite_unaccent(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("unaccent", 1, unaccent, deterministic=True)


def connect():
    connection_created.connect(register_sqlite_unaccent, dispatch_uid="home.text_search.unaccent")


def indexed_pks(model, words, *, title_only=False):
    """The pks of `model`'s objects whose index entry has every word; the last one may be a word's beginning.

    With title_only, the words must all be in the title, whole. One query; the ids are read once, so that the
    count and the page of a list do not run the full-text search again.
    """
    from wagtail.search.backends import get_search_backend

    # By name: the SQLite backend's module only loads on SQLite.
    if type(get_search_backend()).__name__ == "SQLiteSearchBackend":
        return _sqlite_indexed_pks(model, words, title_only)
    text = " ".join(words)
    if title_only:
        found = model.objects.search(text, fields=["title"], operator="and", order_by_relevance=False)
        return set(found.get_queryset().order_by().values_list("pk", flat=True))
    # get_queryset(): the database backend's results as querysets, read in one query.
    found = model.objects.search(text, operator="and", order_by_relevance=False).get_queryset()
    begun = model.objects.autocomplete(text, operator="and", order_by_relevance=False).get_queryset()
    return set(found.order_by().values_list("pk", flat=True).union(begun.order_by().values_list("pk", flat=True)))


def among(pks):
    """A value for `pk__in` holding `pks`, the ids a search found (thousands, for a common word).

    On PostgreSQL one array parameter: Django's IN takes one placeholder per id, which the ORM compiles and the
    driver writes out in Python for each query that filters on them (half the catalogue's time with a keyword
    that every formation has). A plain list elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [sorted(pks)])
    return pks


def _sqlite_indexed_pks(model, words, title_only):
    # Straight to the FTS5 table: Wagtail's query joins it to the index entries, and SQLite then runs the
    # full-text match once per entry instead of once (0.7 s instead of 0.07 s for the catalogue's page at 2,000
    # formations). The words are \w+ only, so they need no escaping inside FTS5's double quotes.
    from modelsearch.utils import get_descendants_content_types_pks
    from wagtail.search.models import IndexEntry

    whole = " AND ".join(f'"{word}"' for word in words)
    if title_only:
        match = f"{{title}} : ({whole})"
    else:
        begun = " AND ".join([*(f'"{word}"' for word in words[:-1]), f'"{words[-1]}"*'])
        match = f"{{title body}} : ({whole}) OR {{autocomplete}} : ({begun})"
    entries = RawSQL(
        "SELECT rowid FROM wagtailsearch_indexentry_fts WHERE wagtailsearch_indexentry_fts MATCH %s", [match]
    )
    object_ids = IndexEntry.objects.filter(
        id__in=entries, content_type_id__in=get_descendants_content_types_pks(model)
    ).values_list("object_id", flat=True)
    return {model._meta.pk.to_python(object_id) for object_id in object_ids}
