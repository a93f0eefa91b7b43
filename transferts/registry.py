"""The import kinds staff may run. Each app registers its own in its AppConfig.ready(), so this app names none.

Registration order is the menu order: INSTALLED_APPS order, then the order of the calls.
"""

_import_kinds = {}


def register_importer(importer_class):
    """Offer `importer_class` under its `kind` (the key used in URLs and on the command line)."""
    kind = importer_class.kind
    if _import_kinds.get(kind, importer_class) is not importer_class:
        raise ValueError(f"Import kind {kind!r} is already registered by {_import_kinds[kind].__name__}.")
    _import_kinds[kind] = importer_class
    return importer_class


def import_kinds():
    """{kind: importer class}, in menu order."""
    return dict(_import_kinds)
