"""Issue 10 item 2: an EMDT action can be owned by an organisation on the person's care team, with no named person
(as plan actions are): it lands in the plan owned by that organisation, is in My tasks for its care team members,
and done in one place is done in the other. An organisation outside the care team is refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from joinedup.care.models import PlanActionCompletion
from joinedup.core.tasks import tasks_for
from joinedup.directory.models import Organisation
from joinedup.meetings.models import Action
from joinedup.meetings.services import action_complete, care_team_organisation_ids, discussion_record

from .fixtures import OUTCOME

pytestmark = pytest.mark.django_db


def _discuss(personas, item, organisation):
    due = timezone.localdate() + dt.timedelta(days=10)
    return discussion_record(
        by=personas.emdt_coordinator,
        item=item,
        **OUTCOME,
        actions=[{"description": "Help with the money letters", "owner_organisation": organisation, "due": due}],
    )


def test_an_organisation_on_the_care_team_owns_an_action_in_the_plan_and_its_members_tasks(personas, person, accepted):
    organisation = personas.partner_professional.primary_organisation
    assert organisation.pk in care_team_organisation_ids(person)
    action = _discuss(personas, accepted, organisation).actions.get()
    assert action.owner is None and action.owner_organisation == organisation
    plan_action = action.plan_actions.get()
    assert plan_action.owner_organisation == organisation
    mine = [t for t in tasks_for(personas.partner_professional) if t.description == action.description]
    assert [t.source for t in mine] == ["EMDT action"]
    assert not [t for t in tasks_for(personas.health_check_provider) if t.description == action.description]
    # Done by a care team member from the organisation: done in the plan too, and gone from their tasks.
    action_complete(by=personas.partner_professional, action=action, note="Letters sorted")
    assert PlanActionCompletion.objects.get(action_id=plan_action.pk).note == "Letters sorted"
    assert not [t for t in tasks_for(personas.partner_professional) if t.description == action.description]


def test_an_organisation_outside_the_care_team_is_refused(personas, person, accepted):
    outside = Organisation.objects.exclude(pk__in=care_team_organisation_ids(person)).first()
    with pytest.raises(ValidationError) as error:
        _discuss(personas, accepted, outside)
    assert error.value.message_dict["actions"] == [
        f"Action 1: {outside.name} is not on Zoë Ashworth's care team. Choose an organisation that is, or a named "
        "person."
    ]
    assert not Action.objects.exists()


def test_someone_outside_the_organisation_may_not_mark_it_done(personas, person, accepted):
    from joinedup.people.services import NotAllowed

    action = _discuss(personas, accepted, personas.partner_professional.primary_organisation).actions.get()
    with pytest.raises(NotAllowed):
        action_complete(by=personas.health_check_provider, action=action)


def test_the_outcome_page_offers_the_care_teams_organisations(personas, person, accepted):
    from joinedup.accounts.tests.helpers import sign_in_with_csrf, submit

    organisation = personas.partner_professional.primary_organisation
    client = sign_in_with_csrf(personas.emdt_coordinator.username)
    url = reverse("meetings:outcome", args=[accepted.pk])
    assert f'value="org-{organisation.pk}"' in client.get(url).content.decode()
    due = timezone.localdate() + dt.timedelta(days=5)
    fields = {
        **OUTCOME,
        "action_1_description": "Help with the money letters",
        "action_1_owner": f"org-{organisation.pk}",
        "action_1_due-day": str(due.day),
        "action_1_due-month": str(due.month),
        "action_1_due-year": str(due.year),
    }
    response = submit(client, url, fields, marker="action_1_description")
    assert response.status_code == 302, response.content.decode()[:3000]
    action = Action.objects.get()
    assert action.owner is None and action.owner_organisation == organisation
    shown = client.get(reverse("meetings:discussion", args=[person.pk, action.discussion_id])).content.decode()
    assert organisation.name in shown


def test_a_member_of_the_organisation_marks_it_done_from_its_page(personas, person, accepted):
    from joinedup.accounts.tests.helpers import sign_in_with_csrf, submit

    organisation = personas.partner_professional.primary_organisation
    action = _discuss(personas, accepted, organisation).actions.get()
    client = sign_in_with_csrf(personas.partner_professional.username)
    url = reverse("meetings:action", args=[person.pk, action.pk])
    assert organisation.name in client.get(url).content.decode()
    response = submit(client, url, {"note": "Letters sorted"}, marker='name="note"')
    assert response.status_code == 302, response.content.decode()[:3000]
    action.refresh_from_db()
    assert action.done_at is not None
    assert PlanActionCompletion.objects.get(action_id=action.plan_actions.get().pk).note == "Letters sorted"
