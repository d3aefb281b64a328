"""Fixtures this app shares with the whole suite (loaded by the root conftest's pytest_plugins).

The URL walk (joinedup/core/tests/test_url_walk.py) asks for a fixture named `url_arg_<kwarg>` for every
URL keyword argument other than person_id: define those here for this app's URLs.
"""

import pytest


@pytest.fixture
def url_arg_member_id(person):
    return person.care_team.first().pk


def make_agreed_plan(*, by, person, goals=("I want to get back to swimming on Saturdays",), share=None):
    """A plan agreed with the person, built through the services. Returns the agreed version."""
    import datetime as dt

    from django.utils import timezone

    from joinedup.care import services
    from joinedup.care.models import CarePlanVersion, PlanStatus

    # A draft may be open already (an EMDT discussion's actions start one): carry on with it.
    draft = CarePlanVersion.objects.filter(person=person, status=PlanStatus.DRAFT).first()
    draft = draft or services.plan_draft_start(by=by, person=person)
    draft = services.plan_draft_save(
        by=by,
        draft=draft,
        expected_revision=draft.revision,
        what_matters="Seeing my sister and keeping my flat",
        strengths="My sister Jo; the allotment group on Tuesdays",
        needs={"housing": "Rent arrears letter", "mental_health": "Low mood in winter"},
        early_signs="Not sleeping, stopping going out",
        what_helps="Walking the dog, talking to Jo",
        crisis_contacts="Key worker in working hours; Jo",
        out_of_hours="Crisis line 0800 953 0110; NHS 111 option 2",
        review_date=timezone.localdate() + dt.timedelta(days=90),
        sharing=share if share is not None else {"vcfse": ["what_matters", "goals"]},
    )
    for words in goals:
        services.plan_goal_add(by=by, draft=draft, words=words)
    services.plan_action_add(
        by=by,
        draft=draft,
        description="Call the housing officer about the arrears",
        owner="person",
        due=timezone.localdate() + dt.timedelta(days=14),
    )
    draft.refresh_from_db()
    return services.plan_agree(
        by=by,
        draft=draft,
        agreed_on=timezone.localdate(),
        participation="in_person",
        own_words=True,
        person_comments="Happy with this, I wrote the goals myself",
    )


@pytest.fixture
def agreed_plan(person, personas):
    return make_agreed_plan(by=personas.community_clinician, person=person)


@pytest.fixture
def url_arg_version_number(agreed_plan, person, personas):
    """Version 1 agreed, and a draft (version 2) open, so every plan page has something to show."""
    from joinedup.care.models import CarePlanVersion, PlanStatus
    from joinedup.care.services import plan_draft_start

    if not CarePlanVersion.objects.filter(person=person, status=PlanStatus.DRAFT).exists():
        plan_draft_start(by=personas.community_clinician, person=person)
    return agreed_plan.number


@pytest.fixture
def url_arg_plan_action_id(agreed_plan):
    """An open action (the person's own) in the current agreed plan."""
    return agreed_plan.actions.filter(owner_is_person=True).first().pk
