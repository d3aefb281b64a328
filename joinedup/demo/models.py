from django.db import models
from django.utils import timezone


class DemoSeed(models.Model):
    """What `seed_demo` has put in this database, so that running it again knows what is already there.

    One row. `people_inserted` moves on in the same transaction as each batch of people, so an interrupted
    run carries on where it stopped instead of inserting the same NHS numbers twice.
    """

    seed = models.BigIntegerField()
    people = models.PositiveIntegerField(help_text="How many people were asked for")
    people_inserted = models.PositiveIntegerField(default=0)
    lived_in = models.BooleanField(default=False, help_text="Care teams, stories and timelines have been added")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Demo seed {self.seed}: {self.people_inserted:,} of {self.people:,} people"

    @property
    def complete(self) -> bool:
        return self.completed_at is not None and self.lived_in and self.people_inserted >= self.people
