# Every element a check records becomes a result for the practice's register update; one without a SNOMED CT code
# (data/check_elements.csv) is kept with an empty code so the register updates page can name it as not sent.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("healthchecks", "0004_claim_ends_with_who_and_why"),
    ]

    operations = [
        migrations.AddField(
            model_name="codedresult",
            name="element",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AlterField(
            model_name="codedresult",
            name="snomed_code",
            field=models.CharField(blank=True, max_length=20),
        ),
    ]
