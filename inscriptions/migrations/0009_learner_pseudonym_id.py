# Add the field without uniqueness, give every existing learner its own random value, then make it unique:
# a callable default on AddField would be evaluated once and shared by every existing row.

import uuid

from django.db import migrations, models


def fill_pseudonym_ids(apps, schema_editor):
    Learner = apps.get_model("inscriptions", "Learner")
    learners = list(Learner.objects.only("pk"))
    for learner in learners:
        learner.pseudonym_id = uuid.uuid4()
    Learner.objects.bulk_update(learners, ["pseudonym_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("inscriptions", "0008_special_answers_kept_from_staff"),
    ]

    operations = [
        migrations.AddField(
            model_name="learner",
            name="pseudonym_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="identifiant de pseudonymisation"),
        ),
        migrations.RunPython(fill_pseudonym_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="learner",
            name="pseudonym_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="identifiant de pseudonymisation"
            ),
        ),
    ]
