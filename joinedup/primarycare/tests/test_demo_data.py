import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind
from joinedup.people.services import person_register
from joinedup.primarycare import demo_data
from joinedup.primarycare.models import Advice, Episode, GpRequest, Session

pytestmark = pytest.mark.django_db


def _ctx(personas, practice, far_practice, person):
    people = [person]
    for i, where in enumerate([practice] * 12 + [far_practice] * 6):
        people.append(
            person_register(
                by=personas.mhp if where == practice else personas.outsider,
                given_name=f"Demo{i}",
                family_name="Person",
                date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=i),
                practice=where,
                consents={ConsentKind.NHS: True},
            )
        )
    return SimpleNamespace(
        rng=random.Random(7),
        today=timezone.localdate(),
        personas={**personas.all()},
        people=people,
        progress=lambda label, done, total: None,
    )


def test_seed_fills_a_caseload_in_every_pcn_with_people(personas, practice, far_practice, person):
    ctx = _ctx(personas, practice, far_practice, person)
    demo_data.seed(ctx)
    home = Episode.objects.filter(pcn=practice.pcn)
    assert home.count() >= 8 and home.filter(mhp=personas.mhp).exists()
    far = Episode.objects.filter(pcn=far_practice.pcn)
    assert far.exists() and far.first().mhp.username.startswith("demo.mhp.")
    assert Advice.objects.filter(practice__pcn=far_practice.pcn).exists()
    assert Session.objects.filter(supervisor=personas.mhp).exists()
    assert GpRequest.objects.filter(status=GpRequest.Status.WAITING).exists()
    assert Episode.objects.filter(status=Episode.Status.DISCHARGED).exists()
