"""Accents and case do not matter in a search: "developpeur" finds "Développeur", "benaissa" finds "Benaïssa".

Young people and staff type without accents. Two tools, one rule:
- the search index (Wagtail's database backend) folds accents itself: SQLite's FTS5 tokenizer (unicode61) removes
  diacritics, and on PostgreSQL the index and the queries use the `french_unaccent` text-search configuration
  (French stemming after the `unaccent` dictionary) and, for autocompletion, `simple_unaccent`; home's migration
  `french_unaccent` creates both (settings: WAGTAILSEARCH_BACKENDS);
- a plain column (a learner's name) is compared through `Unaccent`: PostgreSQL's `unaccent()` function, and on
  SQLite a function of the same name, in Python, registered on each connection.
"""

import unicodedata

from django.db import models
from django.db.backends.signals import connection_created
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
