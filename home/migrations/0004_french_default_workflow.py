"""Wagtail creates its default moderation workflow and task named "Moderators approval", which campus teams read in
the admin when they publish a page: they get a French name. Only those still named as Wagtail made them."""

from django.db import migrations

ENGLISH = "Moderators approval"
FRENCH = "Validation par les modérateurs"


def rename(old, new):
    def run(apps, schema_editor):
        for model in ("Workflow", "Task"):
            apps.get_model("wagtailcore", model).objects.filter(name=old).update(name=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0003_delete_datajob"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]

    operations = [migrations.RunPython(rename(ENGLISH, FRENCH), rename(FRENCH, ENGLISH))]
