import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from joinedup.peersupport import demo_data, queries
from joinedup.peersupport.models import (
    Allocation,
    Contact,
    Offer,
    OfferLink,
    OutcomeRating,
    PeerWorker,
    Progression,
    SupervisionSession,
    TrainingCompletion,
)

pytestmark = pytest.mark.django_db


def test_seed_builds_a_lived_in_peer_support_service(personas, person, practice):
    from joinedup.peersupport.tests.test_services import fresh_person

    numbers = ["9990000034", "9990000042", "9990000050", "9990000069", "9990000077", "9990000085"]
    people = [person, *(fresh_person(personas, practice, nhs_number=n) for n in numbers)]
    ctx = SimpleNamespace(
        rng=random.Random(7),
        today=timezone.localdate(),
        personas=personas.all(),
        people=people,
        all_people=None,
        progress=lambda label, done, total: None,
    )
    demo_data.seed(ctx)
    assert Offer.objects.values("locality").distinct().count() == 15
    assert PeerWorker.objects.values("organisation").distinct().count() == 6
    assert Allocation.objects.exists() and Contact.objects.exists() and OfferLink.objects.exists()
    assert OutcomeRating.objects.filter(stage="start").exists()
    assert SupervisionSession.objects.exists() and TrainingCompletion.objects.exists()
    assert Progression.objects.count() == queries.volunteers_progressed() == 4
    assert queries.caseload_for(by=personas.peer_support_worker)
