import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from joinedup.healthchecks.demo_data import seed
from joinedup.healthchecks.models import ContactAttempt, RegisterEntry
from joinedup.people.services import person_register

from .helpers import nhs_for

pytestmark = pytest.mark.django_db


def test_seed_gives_every_practice_a_register(personas, practice):
    people = [
        person_register(
            by=personas.gp_practice_staff,
            nhs_number=nhs_for(100 + i),
            given_name="Demo",
            family_name=f"Person{i}",
            date_of_birth=dt.date(1970, 1, 1) + dt.timedelta(days=i * 97),
            practice=practice,
        )
        for i in range(80)
    ]
    ctx = SimpleNamespace(
        rng=random.Random(7),
        today=timezone.localdate(),
        personas=personas.all(),
        people=people,
        progress=lambda label, done, total: None,
    )
    from joinedup.healthchecks import demo_data

    demo_data.BULK_FROM_PEOPLE = 50
    try:
        seed(ctx)
    finally:
        demo_data.BULK_FROM_PEOPLE = 500
    from joinedup.directory.models import Practice

    with_register = set(RegisterEntry.objects.values_list("practice_id", flat=True).distinct())
    assert with_register == set(
        Practice.objects.filter(locality__outreach_coverage__isnull=False).values_list("pk", flat=True)
    )
    assert RegisterEntry.objects.filter(person__in=people).exists()
    assert ContactAttempt.objects.exists()
