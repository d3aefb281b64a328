"""Fixtures this app shares with the whole suite (loaded by the root conftest's pytest_plugins).

The URL walk (joinedup/core/tests/test_url_walk.py) asks for a fixture named `url_arg_<kwarg>` for every
URL keyword argument other than person_id: define those here for this app's URLs.
"""

import pytest

SAMPLE_OFFERS = [
    {
        "code": "test-walking-group",
        "name": "Seafront walking group",
        "provider": "Brightside Walkers (synthetic)",
        "category": "healthy_living",
        "locality": "blackpool",
        "description": "A gentle hour's walk along the promenade with tea afterwards.",
        "how_to_join": "Just turn up, or ask your peer support worker to come with you the first time.",
        "accessibility": "Flat route; step-free café; walk leaders trained in mental health awareness.",
        "phone": "01632 960 123",
        "email": "walks@example.org",
    },
    {
        "code": "test-debt-advice",
        "name": "Money and debt drop-in",
        "provider": "Coastline Advice (synthetic)",
        "category": "debt_advice",
        "locality": "blackpool",
        "description": "Free, confidential help with debts, budgeting and benefits.",
        "how_to_join": "Drop in on Tuesdays 10am to 1pm, or phone to book.",
        "accessibility": "Interpreters on request.",
    },
    {
        "code": "test-furness-allotment",
        "name": "Community allotment",
        "provider": "Furness Growers (synthetic)",
        "category": "social_leisure",
        "locality": "furness",
        "description": "Grow vegetables with others; no experience needed.",
        "how_to_join": "Email to arrange a first visit.",
    },
]


@pytest.fixture
def offers(region):
    from joinedup.peersupport.models import Offer
    from joinedup.peersupport.services import offers_load

    offers_load(SAMPLE_OFFERS)
    return {o.code: o for o in Offer.objects.all()}


@pytest.fixture
def peer_workers(personas, practice):
    """Peer support profiles for the three peer personas (Calico, covering Blackpool); the senior supervises."""
    from joinedup.peersupport.models import WorkerKind
    from joinedup.peersupport.services import peer_worker_register

    senior = personas.senior_peer_support_worker
    blackpool = practice.locality

    def register(user, kind, limit, supervisor):
        return peer_worker_register(
            by=senior,
            user=user,
            organisation=user.primary_organisation,
            kind=kind,
            localities=[blackpool],
            caseload_limit=limit,
            supervisor=supervisor,
        )

    return {
        "senior": register(senior, WorkerKind.SENIOR, 5, None),
        "worker": register(personas.peer_support_worker, WorkerKind.PAID, 8, senior),
        "volunteer": register(personas.volunteer, WorkerKind.VOLUNTEER, 3, senior),
    }


@pytest.fixture
def peer_referral(personas, person):
    from joinedup.peersupport.services import peer_referral_create

    return peer_referral_create(
        by=personas.mhp, person=person, source="mhp", reason="Wants to get out more and meet people"
    )


@pytest.fixture
def peer_allocation(personas, peer_workers, peer_referral):
    from joinedup.peersupport.services import allocation_create

    return allocation_create(
        by=personas.senior_peer_support_worker, referral=peer_referral, worker=peer_workers["worker"]
    )


@pytest.fixture
def url_arg_peer_referral_id(peer_allocation):
    return peer_allocation.referral_id


@pytest.fixture
def url_arg_peer_allocation_id(peer_allocation):
    return peer_allocation.pk


@pytest.fixture
def url_arg_offer_id(offers):
    return offers["test-walking-group"].pk


@pytest.fixture
def url_arg_peer_worker_id(peer_workers):
    return peer_workers["volunteer"].pk
