"""Fixtures this app shares with the whole suite (loaded by the root conftest's pytest_plugins).

The URL walk (joinedup/core/tests/test_url_walk.py) asks for a fixture named `url_arg_<kwarg>` for every
URL keyword argument other than person_id: define those here for this app's URLs.
"""

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def pc_episode(personas, person):
    """Zoë on the Blackpool MHP's caseload, added from her GP's question."""
    from joinedup.primarycare.services import episode_open, request_create

    question = request_create(
        by=personas.gp_practice_staff, person=person, question="Low mood for months, not sleeping. What next?"
    )
    return episode_open(
        by=personas.mhp, person=person, request=question, opened_on=timezone.localdate() - dt.timedelta(days=20)
    )


@pytest.fixture
def pc_trainee_session(personas, pc_episode):
    """A session delivered by the trainee psychologist under the MHP's supervision, not yet reviewed."""
    from joinedup.primarycare.services import session_record

    return session_record(
        by=personas.trainee_psychologist,
        episode=pc_episode,
        session_type="behavioural_activation",
        held_on=timezone.localdate() - dt.timedelta(days=2),
        what_was_done="Planned three small activities for the week",
        outcome="Agreed to try a walk each morning",
        supervisor=personas.mhp,
    )


@pytest.fixture
def url_arg_session_id(pc_trainee_session):
    return pc_trainee_session.pk


@pytest.fixture
def url_arg_episode_id(pc_episode):
    return pc_episode.pk
