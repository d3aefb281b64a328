import datetime as dt
import random
import time
from types import SimpleNamespace

import pytest
from django.utils import timezone

from joinedup.meetings import demo_data as meetings_demo
from joinedup.meetings.models import Action, CaseDiscussion, Meeting
from joinedup.people.services import person_register
from joinedup.referrals import demo_data as referrals_demo
from joinedup.referrals.models import EmdtRequest, RequestState

pytestmark = pytest.mark.django_db


def test_demo_seed_makes_every_state_meetings_and_overdue_actions(personas, practice):
    people = [
        person_register(
            by=personas.gp_practice_staff,
            given_name=f"Demo{i}",
            family_name="Person",
            date_of_birth=dt.date(1970, 1, 1) + dt.timedelta(days=200 * i),
            practice=practice,
            consents={"nhs": True, "vcfse": True, "peer_support": True},
        )
        for i in range(30)
    ]
    ctx = SimpleNamespace(
        rng=random.Random(7),
        today=timezone.localdate(),
        personas=personas.all(),
        people=people,
        progress=lambda *a: None,
    )
    started = time.perf_counter()
    referrals_demo.seed(ctx)
    meetings_demo.seed(ctx)
    assert time.perf_counter() - started < 60
    states = set(EmdtRequest.objects.values_list("state", flat=True))
    assert states == set(RequestState.values)
    from joinedup.directory.models import Team, TeamKind

    assert Meeting.objects.values("team").distinct().count() == Team.objects.filter(kind=TeamKind.EMDT).count()
    assert Meeting.objects.filter(starts_at__lt=timezone.now()).exists()
    assert Meeting.objects.filter(starts_at__gt=timezone.now()).exists()
    assert CaseDiscussion.objects.exists()
    assert Action.objects.filter(due__lt=timezone.localdate(), done_at__isnull=True).exists()
    assert Action.objects.filter(due__gte=timezone.localdate()).exists() or Action.objects.count() > 3
