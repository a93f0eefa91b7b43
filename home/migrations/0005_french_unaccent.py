from django.db import migrations

from home.text_search import CREATE_SEARCH_CONFIG_SQL, DROP_SEARCH_CONFIG_SQL


def create_search_config(apps, schema_editor):
    # PostgreSQL only: SQLite's full-text index folds accents by itself (home/text_search.py).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SEARCH_CONFIG_SQL)


def drop_search_config(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SEARCH_CONFIG_SQL)


class Migration(migrations.Migration):
    dependencies = [("home", "0004_french_default_workflow")]

    operations = [migrations.RunPython(create_search_config, drop_search_config, elidable=False)]
