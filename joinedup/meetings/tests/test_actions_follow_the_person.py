"""Actions follow the person (issue 10, item 2) and only the care team owns them (item 7): what an EMDT discussion
agrees lands in the care and support plan, linked back, done in one place is done in the other, and an owner
outside the person's care is refused with a clear message."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.care.models import CarePlanVersion, PlanActionCompletion, PlanStatus
from joinedup.care.services import plan_action_mark_done, plan_agree
from joinedup.core.tasks import tasks_for
from joinedup.meetings.models import Action
from joinedup.meetings.services import action_complete, discussion_record

from .fixtures import OUTCOME, attending

pytestmark = pytest.mark.django_db

DUE = dt.timedelta(days=10)


def _discuss(personas, item, *owners):
    due = timezone.localdate() + DUE
    return discussion_record(
        by=personas.emdt_coordinator,
        item=item,
        **OUTCOME,
        actions=[{"description": f"Action for {o.get_full_name()}", "owner": o, "due": due} for o in owners],
    )


def test_actions_land_in_a_new_draft_from_the_agreed_plan_linked_back(personas, person, accepted, agreed_plan):
    # Council and VCFSE staff on the care team, the key worker and the chair: as many actions as needed.
    owners = (personas.partner_professional, personas.community_clinician, personas.emdt_coordinator)
    record = _discuss(personas, accepted, *owners)
    draft = CarePlanVersion.objects.get(person=person, status=PlanStatus.DRAFT)
    assert draft.number == agreed_plan.number + 1
    from_emdt = list(draft.actions.filter(emdt_action__isnull=False).order_by("position"))
    assert [a.description for a in from_emdt] == [f"Action for {o.get_full_name()}" for o in owners]
    assert {a.owner_organisation for a in from_emdt} == {o.primary_organisation for o in owners}
    assert all(a.agreed_at_link == f"/meetings/{person.pk}/discussions/{record.pk}/" for a in from_emdt)
    # The agreed version's own action was carried into the draft as well.
    assert draft.actions.filter(owner_is_person=True).count() == 1
    page = _signed_in(personas.community_clinician).get(f"/care/{person.pk}/plan/draft/actions/").content.decode()
    assert "Agreed at the" in page and f"/meetings/{person.pk}/discussions/{record.pk}/" in page


def _signed_in(user):
    from joinedup.accounts.tests.helpers import sign_in_with_csrf

    return sign_in_with_csrf(user.username)


def test_actions_join_the_draft_already_open(personas, person, accepted):
    from joinedup.care.services import plan_draft_start

    draft = plan_draft_start(by=personas.community_clinician, person=person)
    _discuss(personas, accepted, personas.partner_professional)
    assert CarePlanVersion.objects.filter(person=person, status=PlanStatus.DRAFT).get() == draft
    assert draft.actions.get().emdt_action is not None


def test_done_at_the_emdt_is_done_in_the_plan(personas, person, accepted):
    record = _discuss(personas, accepted, personas.partner_professional)
    emdt_action = record.actions.get()
    action_complete(by=personas.partner_professional, action=emdt_action, note="Booked")
    plan_action = emdt_action.plan_actions.get()
    assert PlanActionCompletion.objects.get(action_id=plan_action.pk).note == "Booked"


def test_done_in_the_plan_is_done_at_the_emdt_and_twice_changes_nothing(personas, person, accepted):
    record = _discuss(personas, accepted, personas.partner_professional)
    draft = CarePlanVersion.objects.get(person=person, status=PlanStatus.DRAFT)
    from joinedup.care.services import plan_goal_add

    plan_goal_add(by=personas.community_clinician, draft=draft, words="Sort my money out")
    draft.refresh_from_db()
    agreed = plan_agree(
        by=personas.community_clinician,
        draft=draft,
        agreed_on=timezone.localdate(),
        participation="in_person",
        own_words=True,
        person_comments="Yes",
    )
    plan_action = agreed.actions.get(emdt_action__isnull=False)
    plan_action_mark_done(by=personas.community_clinician, action=plan_action, note="Seen to")
    emdt_action = Action.objects.get(pk=record.actions.get().pk)
    assert emdt_action.done_at is not None and emdt_action.done_note == "Seen to"
    done_at = emdt_action.done_at
    with pytest.raises(ValidationError, match="already marked as done"):
        plan_action_mark_done(by=personas.community_clinician, action=plan_action)
    with pytest.raises(ValidationError, match="already done"):
        action_complete(by=personas.partner_professional, action=emdt_action)
    emdt_action.refresh_from_db()
    assert emdt_action.done_at == done_at


def test_the_owner_sees_the_action_once_in_my_tasks(personas, person, accepted):
    record = _discuss(personas, accepted, personas.partner_professional)
    draft = CarePlanVersion.objects.get(person=person, status=PlanStatus.DRAFT)
    from joinedup.care.services import plan_goal_add

    plan_goal_add(by=personas.community_clinician, draft=draft, words="Sort my money out")
    draft.refresh_from_db()
    plan_agree(
        by=personas.community_clinician,
        draft=draft,
        agreed_on=timezone.localdate(),
        participation="in_person",
        own_words=True,
        person_comments="Yes",
    )
    description = record.actions.get().description
    mine = [t for t in tasks_for(personas.partner_professional) if t.description == description]
    assert [t.source for t in mine] == ["EMDT action"]


def test_an_owner_outside_the_care_team_is_refused_unless_recorded_as_attending(personas, person, accepted):
    outsider_to_zoe = personas.health_check_provider  # in her practice, not on her care team, not at the meeting
    with pytest.raises(ValidationError) as error:
        _discuss(personas, accepted, outsider_to_zoe)
    assert error.value.message_dict["actions"] == [
        f"Action 1: {outsider_to_zoe.get_full_name()} is not on Zoë Ashworth's care team and is not recorded as "
        "attending this meeting. Choose someone who is, or record their attendance first."
    ]
    assert not Action.objects.exists()
    attending(outsider_to_zoe, accepted.meeting, by=personas.emdt_coordinator)
    record = _discuss(personas, accepted, outsider_to_zoe)
    assert record.actions.get().owner == outsider_to_zoe
