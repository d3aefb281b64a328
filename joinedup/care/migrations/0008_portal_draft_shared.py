# Portal (issue 11): a draft is shown to the person only when staff share it. Named 0008 so it follows
# i-journey's 0006/0007 after the lead renumbers on merge; it depends on this branch's 0006.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0007_portal_person_agrees"),
    ]

    operations = [
        migrations.AddField(
            model_name="careplanversion",
            name="shared_with_person",
            field=models.BooleanField(default=False),
        ),
    ]
