from django.core.management.color import no_style
from django.db import migrations

FIELDS = [
    "id",
    "direction",
    "kind",
    "file_format",
    "requested_by_id",
    "campus_id",
    "params",
    "state",
    "done",
    "total",
    "source",
    "result",
    "summary",
    "errors",
    "created_at",
    "finished_at",
]


def reset_sequence(schema_editor, model):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


def copy_from_home(apps, schema_editor):
    """Jobs keep their id (it is in their pages' URLs), their files, and their agreement as subject."""
    OldJob = apps.get_model("home", "DataJob")
    NewJob = apps.get_model("transferts", "DataJob")
    ContentType = apps.get_model("contenttypes", "ContentType")
    old_jobs = list(OldJob.objects.values(*FIELDS, "agreement_id"))
    if not old_jobs:
        return
    agreement_type = None
    if any(job["agreement_id"] for job in old_jobs):
        agreement_type, _ = ContentType.objects.get_or_create(app_label="financeurs", model="agreement")
    NewJob.objects.bulk_create(
        [
            NewJob(
                **{name: job[name] for name in FIELDS},
                subject_type=agreement_type if job["agreement_id"] else None,
                subject_id=job["agreement_id"],
            )
            for job in old_jobs
        ],
        batch_size=500,
    )
    reset_sequence(schema_editor, NewJob)


def copy_back_to_home(apps, schema_editor):
    OldJob = apps.get_model("home", "DataJob")
    NewJob = apps.get_model("transferts", "DataJob")
    OldJob.objects.bulk_create(
        [
            OldJob(
                **{name: job[name] for name in FIELDS},
                agreement_id=job["subject_id"] if job["subject_type__model"] == "agreement" else None,
            )
            for job in NewJob.objects.values(*FIELDS, "subject_id", "subject_type__model")
        ],
        batch_size=500,
    )
    reset_sequence(schema_editor, OldJob)


class Migration(migrations.Migration):
    dependencies = [
        ("transferts", "0001_initial"),
        ("home", "0002_datajob"),
        ("financeurs", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(copy_from_home, copy_back_to_home)]
