# One follow-up per action, listing every result that led to it (a blood pressure over both limits is one
# follow-up, not two): room for the joined threshold codes and reasons.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("healthchecks", "0005_update_results_for_every_element"),
    ]

    operations = [
        migrations.AlterField(
            model_name="followup",
            name="code",
            field=models.CharField(max_length=200),
        ),
        migrations.AlterField(
            model_name="followup",
            name="reason",
            field=models.CharField(max_length=500),
        ),
    ]
