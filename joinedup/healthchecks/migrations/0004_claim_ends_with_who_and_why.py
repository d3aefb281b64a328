# An outreach claim ends as an explicit change with who ended it and why, and is kept as the person's outreach
# history (a full check used to clear it with no trace of either).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("healthchecks", "0003_drop_duplicate_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="release_reason",
            field=models.CharField(
                blank=True,
                choices=[("stopped", "the outreach worker stopped"), ("full_check", "a full health check was recorded")],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="released_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
