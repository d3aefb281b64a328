"""Fixtures this app shares with the whole suite (loaded by the root conftest's pytest_plugins).

The URL walk (joinedup/core/tests/test_url_walk.py) asks for a fixture named `url_arg_<kwarg>` for every
URL keyword argument other than person_id: define those here for this app's URLs.
"""

import pytest


def make_request(*, by, person, **overrides):
    from joinedup.referrals.services import emdt_request_submit

    fields = {
        "meets_complex_needs": True,
        "complex_needs": "Debts, housing at risk and low mood: needs more than the practice can offer",
        "services": ["debt-advice", "housing-support"],
        "meets_care_plan_gap": True,
        "care_plan_gap": "The plan covers medication only; money and housing worries are not in it",
        "consent_to_discuss": True,
        "wants_to_attend": "yes",
        "urgency": "routine",
        "risks": "",
    }
    fields.update(overrides)
    return emdt_request_submit(by=by, person=person, **fields)


@pytest.fixture
def emdt_request(personas, person):
    """A routine request for Zoë to the Blackpool EMDT, made by the primary care MHP."""
    return make_request(by=personas.mhp, person=person)


@pytest.fixture
def url_arg_request_id(emdt_request):
    return emdt_request.pk
