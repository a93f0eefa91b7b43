"""Wagtail's database search backend, with a text-search configuration of our choice for autocompletion too.

The PostgreSQL backend always autocompletes (prefix search) with the `simple` configuration, where "developpeur"
does not find "Développeur". AUTOCOMPLETE_CONFIG names another one: `simple_unaccent` (home/text_search.py).
SQLite has no configuration: its full-text tokenizer folds accents for both kinds of search.
"""

from modelsearch.backends.database import SearchBackend as database_search_backend


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks for in a backend's module)
    backend = database_search_backend(params)
    if params.get("AUTOCOMPLETE_CONFIG") and hasattr(backend, "autocomplete_config"):
        backend.autocomplete_config = params["AUTOCOMPLETE_CONFIG"]
    return backend
