import pytest
from django.test import Client

from .helpers import bearer


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    """Bulk export files go to the test's own folder, never var/."""
    settings.FHIR_EXPORT_DIR = tmp_path / "exports"
    return settings.FHIR_EXPORT_DIR


@pytest.fixture
def http():
    """A client that enforces CSRF, as a real caller meets it: the API must not lean on a cookie or a form token."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def token(practice_client):
    """A token of the Blackpool practice's system for every read it was granted."""
    return bearer(practice_client)


@pytest.fixture
def whole_record(personas, person, hc_check, agreed_plan, emdt_chain, pc_trainee_session):
    """Zoë's record with something behind every resource type the API serves: a health check (with its
    follow-ups), an agreed care plan then a second agreed version, DIALOG and GBO ratings, a level of care, an EMDT
    request discussed with an action, a primary care session, a health check booking and a communication need."""
    import datetime as dt

    from django.utils import timezone

    from joinedup.care import services as care
    from joinedup.care.tests.fixtures import make_agreed_plan
    from joinedup.healthchecks.services import booking_create
    from joinedup.people.services import communication_needs_set

    clinician = personas.community_clinician
    today = timezone.localdate()
    care.level_of_care_change(by=clinician, person=person, level="cmht", reason="Assessed by the CMHT")
    care.level_of_care_change(by=clinician, person=person, level="emdt", reason="Needs the EMDT")
    second = make_agreed_plan(by=clinician, person=person, goals=("I want to cook for my sister",))
    care.dialog_record(by=clinician, person=person, taken_on=today, ratings={i: (4, i % 2 == 0) for i in range(1, 12)})
    goal = second.goals.first()
    care.gbo_record(by=clinician, person=person, rated_on=today, scores={goal.key: 6})
    booking = booking_create(
        by=personas.outreach_worker,
        person=person,
        provider_kind="practice",
        at=timezone.now() + dt.timedelta(days=7),
        place="Surgery",
    )
    communication_needs_set(by=personas.gp_practice_staff, person=person, needs={"easy_read": "Short sentences"})
    return {
        "person": person,
        "check": hc_check,
        "plan": second,
        "first_plan": agreed_plan,
        "goal": goal,
        "discussion": emdt_chain["discussion"],
        "request": emdt_chain["request"],
        "session": pc_trainee_session,
        "booking": booking,
    }
