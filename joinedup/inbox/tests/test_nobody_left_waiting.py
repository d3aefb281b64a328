"""Nobody left waiting (issue 10, items 4 and 7): the referrer, the GP practice and the key worker get a task when
something happens that is theirs to act on, each naming the person, why and the page; done tasks leave the list; a
task about someone the owner can no longer see is hidden, and the owner is told why."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from joinedup.accounts.tests.helpers import sign_in_with_csrf
from joinedup.core.tasks import task_list, tasks_for
from joinedup.inbox.models import InboxItem
from joinedup.meetings.tests.fixtures import OUTCOME

pytestmark = pytest.mark.django_db


def _csrf(client, url):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode()).group(1)


def _advise(personas, person):
    from joinedup.primarycare.services import advice_record

    advice_record(
        by=personas.mhp,
        person=person,
        question="Sertraline dose?",
        advice="Keep the dose; review in four weeks",
        given_on=timezone.localdate(),
        asked_by_name="Dr Patel, GP",
    )


def _practice_items(person):
    return InboxItem.objects.filter(to_organisation__isnull=False, person=person)


def test_a_declined_request_is_a_task_for_the_referrer_with_the_next_step(personas, person, emdt_request):
    from joinedup.referrals.services import emdt_request_decline

    emdt_request_decline(
        by=personas.emdt_coordinator,
        request=emdt_request,
        reason="Needs are met by the practice",
        recommendation="Refer to the debt advice service directly",
    )
    (task,) = [t for t in tasks_for(personas.mhp) if t.source == "EMDT request declined"]
    assert "Next step recommended: Refer to the debt advice service directly" in task.description
    assert task.person_label.startswith("Zoë Ashworth")
    assert task.link == f"/referrals/{person.pk}/requests/{emdt_request.pk}/"


def test_a_question_about_a_request_is_a_task_until_it_is_answered(personas, person, emdt_request):
    from joinedup.referrals.services import emdt_request_answer, emdt_request_ask

    emdt_request_ask(by=personas.emdt_coordinator, request=emdt_request, question="Is she under the CMHT?")
    (task,) = [t for t in tasks_for(personas.mhp) if t.source == "EMDT request"]
    assert task.link.endswith("/answer/") and task.person_id == person.pk
    emdt_request_answer(by=personas.mhp, request=emdt_request, answer="No")
    assert not [t for t in tasks_for(personas.mhp) if t.source == "EMDT request"]


def test_a_discussion_tells_the_referrer_the_outcome_and_the_practice_that_care_changed(personas, person, accepted):
    from joinedup.meetings.services import discussion_record

    due = timezone.localdate() + dt.timedelta(days=7)
    record = discussion_record(
        by=personas.emdt_coordinator,
        item=accepted,
        **OUTCOME,
        actions=[{"description": "Refer to debt advice", "owner": personas.community_clinician, "due": due}],
    )
    (task,) = [t for t in tasks_for(personas.mhp) if t.source == "EMDT outcome"]
    assert "1 action agreed" in task.description and "Outcome: Debt advice agreed." in task.description
    assert task.link == f"/meetings/{person.pk}/discussions/{record.pk}/"
    (item,) = _practice_items(person).filter(kind="emdt_care_changed")
    assert item.to_organisation == personas.gp_practice_staff.primary_organisation
    assert item.link == f"/meetings/{person.pk}/discussions/{record.pk}/for-the-gp/"


def test_advice_and_discharge_reach_the_gp_practice_inbox(personas, person, pc_episode):
    from joinedup.primarycare.services import episode_discharge

    _advise(personas, person)
    pc_episode.refresh_from_db()
    episode_discharge(
        by=personas.mhp,
        episode=pc_episode,
        expected_version=pc_episode.version,
        discharged_on=timezone.localdate(),
        reason="goals_met",
        summary="Mood improved; sleeping well",
        gp_follow_up="Review medication in three months",
    )
    kinds = dict(_practice_items(person).values_list("kind", "why"))
    assert "answered Dr Patel, GP's question" in kinds["gp_advice_given"]
    assert "For the GP: Review medication in three months" in kinds["mhp_discharged"]


def test_a_health_check_follow_up_for_the_gp_reaches_the_practice(personas, on_register):
    from joinedup.healthchecks.services import check_record

    check_record(
        by=personas.health_check_provider,
        person=on_register,
        done_on=timezone.localdate(),
        systolic=150,
        diastolic=95,
    )
    (item,) = _practice_items(on_register).filter(kind="health_check_follow_up_for_gp")
    assert item.why.startswith("Blood pressure review with the GP: Systolic blood pressure above 140")
    assert item.link == f"/health-checks/{on_register.pk}/"


@pytest.fixture
def with_key_worker(personas, person):
    """The shared person's key worker is the community clinician (see the root conftest)."""
    return personas.community_clinician


def test_the_key_worker_hears_when_someone_else_changes_the_level_of_care(personas, person, with_key_worker):
    from joinedup.care.services import level_of_care_change

    level_of_care_change(by=personas.key_worker, person=person, level="emdt", reason="Complex needs")
    (task,) = [t for t in tasks_for(with_key_worker) if t.source == "Level of care changed"]
    assert "Complex needs" in task.description and task.link == f"/care/{person.pk}/level/"
    # Their own change is not a task for them.
    level_of_care_change(by=with_key_worker, person=person, level="cmht", reason="Stepped up")
    assert len([t for t in tasks_for(with_key_worker) if t.source == "Level of care changed"]) == 1


def test_the_key_worker_hears_when_someone_else_adds_an_action_to_the_plan(personas, person, with_key_worker):
    from joinedup.care.services import plan_action_add, plan_draft_start

    draft = plan_draft_start(by=personas.key_worker, person=person)
    plan_action_add(
        by=personas.key_worker,
        draft=draft,
        description="Walk twice a week",
        owner="person",
        due=timezone.localdate() + dt.timedelta(days=10),
    )
    (task,) = [t for t in tasks_for(with_key_worker) if t.source == "Care plan action added"]
    assert "Walk twice a week" in task.description and task.link == f"/care/{person.pk}/plan/draft/"


def test_a_done_task_leaves_my_tasks_and_marking_it_done_twice_changes_nothing(personas, person, emdt_request):
    from joinedup.referrals.services import emdt_request_decline

    emdt_request_decline(
        by=personas.emdt_coordinator, request=emdt_request, reason="Not now", recommendation="Talking therapies"
    )
    item = InboxItem.objects.get(kind="emdt_request_declined")
    client = sign_in_with_csrf(personas.mhp.username)
    page = client.get("/tasks/").content.decode()
    assert "Talking therapies" in page and "Mark as done" in page
    token = _csrf(client, "/tasks/")
    response = client.post("/inbox/done/", {"item": item.pk, "csrfmiddlewaretoken": token}, follow=True)
    assert "Marked as done" in response.content.decode()
    assert "Talking therapies" not in client.get("/tasks/").content.decode()
    item.refresh_from_db()
    done_at = item.done_at
    again = client.post("/inbox/done/", {"item": item.pk, "csrfmiddlewaretoken": token}, follow=True)
    assert "already done: nothing has changed" in again.content.decode()
    item.refresh_from_db()
    assert item.done_at == done_at and item.done_by == personas.mhp
    # Someone else's task cannot be marked by another member of staff.
    other = sign_in_with_csrf(personas.community_clinician.username)
    token = _csrf(other, "/tasks/")
    assert other.post("/inbox/done/", {"item": item.pk, "csrfmiddlewaretoken": token}).status_code == 404
    assert other.post("/inbox/done/", {"item": "x", "csrfmiddlewaretoken": token}).status_code == 404


def test_the_practice_inbox_shows_who_saw_an_item_and_when_and_done_items_leave(personas, person, pc_episode):
    _advise(personas, person)
    item = InboxItem.objects.get(kind="gp_advice_given")
    client = sign_in_with_csrf(personas.gp_practice_staff.username)
    page = client.get("/inbox/practice/").content.decode()
    assert "answered Dr Patel, GP&#39;s question" in page and "New" in page
    token = _csrf(client, "/inbox/practice/")
    client.post("/inbox/practice/", {"item": item.pk, "action": "seen", "csrfmiddlewaretoken": token})
    page = client.get("/inbox/practice/").content.decode()
    today = timezone.localdate()
    assert f"Seen by {personas.gp_practice_staff.get_full_name()} on {today.day} {today:%B %Y}" in page
    client.post("/inbox/practice/", {"item": item.pk, "action": "done", "csrfmiddlewaretoken": token})
    assert "Dr Patel" not in client.get("/inbox/practice/").content.decode()
    # Only GP practice staff have a practice inbox; a practice's items are its own.
    assert sign_in_with_csrf(personas.mhp.username).get("/inbox/practice/").status_code == 403


def test_a_task_about_someone_who_withdrew_consent_is_hidden_and_the_owner_told_why(personas, person, emdt_request):
    from joinedup.inbox.services import inbox_send
    from joinedup.people.services import consent_record

    partner = personas.partner_professional
    inbox_send(kind="test", key="1", source="Test", why="Ring Zoë about the food bank", to_user=partner, person=person)
    assert [t.description for t in tasks_for(partner)] == ["Ring Zoë about the food bank"]
    consent_record(by=personas.gp_practice_staff, person=person, kind="vcfse", given=False, note="Changed her mind")
    listed = task_list(partner)
    assert listed.tasks == []
    assert listed.hidden == [
        "1 task hidden: the person it is about no longer shares their record with voluntary and community "
        "organisations."
    ]
    client = sign_in_with_csrf(partner.username)
    page = client.get("/tasks/").content.decode()
    assert "1 task hidden" in page and "Zoë" not in page
