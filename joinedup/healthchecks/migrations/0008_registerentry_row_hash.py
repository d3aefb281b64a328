from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("healthchecks", "0007_register_import_reasons"),
    ]

    operations = [
        migrations.AddField(
            model_name="registerentry",
            name="row_hash",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
