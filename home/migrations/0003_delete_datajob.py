from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_datajob"),
        # Its rows were copied there first.
        ("transferts", "0002_copy_home_jobs"),
    ]

    operations = [migrations.DeleteModel(name="DataJob")]
