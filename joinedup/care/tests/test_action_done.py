"""Marking a care plan action as done: progress recorded beside the plan, never in it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from joinedup.care import services
from joinedup.care.models import CarePlanVersion, PlanAction, PlanActionCompletion
from joinedup.care.queries import plan_actions_for_user, plan_current_for
from joinedup.core.dates import format_date
from joinedup.core.models import AuditEvent
from joinedup.core.tasks import tasks_for
from joinedup.people.services import NotAllowed

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def kw(personas):
    return personas.community_clinician


@pytest.fixture
def plan(kw, person, personas):
    """Agreed version 1: the person's own action, and one for the VCFSE partner's organisation (on the care team).
    The actions are not shared with VCFSE organisations, so the partner sees only its own."""
    draft = services.plan_draft_start(by=kw, person=person)
    services.plan_draft_save(by=kw, draft=draft, expected_revision=draft.revision, sharing={"vcfse": ["goals"]})
    services.plan_goal_add(by=kw, draft=draft, words="I want to swim again")
    due = TODAY() + dt.timedelta(days=7)
    services.plan_action_add(by=kw, draft=draft, description="Ring my sister", owner="person", due=due)
    vcfse = personas.partner_professional.primary_organisation
    services.plan_action_add(by=kw, draft=draft, description="Benefits check", owner=vcfse, due=due)
    draft.refresh_from_db()
    return services.plan_agree(
        by=kw, draft=draft, agreed_on=TODAY(), participation="phone", own_words=True, person_comments="Fine"
    )


def action(version, description):
    return version.actions.get(description=description)


def agree_new_version(kw, person):
    draft = services.plan_draft_start(by=kw, person=person)
    services.plan_action_add(
        by=kw, draft=draft, description="Join the walking group", owner="person", due=TODAY() + dt.timedelta(days=9)
    )
    draft.refresh_from_db()
    return services.plan_agree(
        by=kw, draft=draft, agreed_on=TODAY(), participation="in_person", own_words=True, person_comments="Yes"
    )


def done_descriptions(version):
    return {a.description for a in version.actions.with_completion() if a.done_at}


# --- The service ---------------------------------------------------------------------------------------------


def test_marking_done_records_who_when_and_note_with_a_timeline_entry_and_audit(kw, person, plan):
    ring = action(plan, "Ring my sister")
    completion = services.plan_action_mark_done(by=kw, action=ring, note="  Rang on Tuesday, all fine  ")
    assert completion.action_id == ring.pk and completion.done_by == kw
    assert completion.note == "Rang on Tuesday, all fine"
    assert timezone.localtime(completion.done_at).date() == TODAY()
    entry = person.timeline.get(kind="plan_action_done")
    assert entry.summary == "Care and support plan: an action marked as done (the person's own action)"
    assert entry.actor == kw and entry.link == f"/care/{person.pk}/plan/"
    # Partners read the timeline too, and the person has not shared the actions with them: no action, no note.
    assert "Ring my sister" not in entry.summary and "Rang on Tuesday" not in entry.summary
    assert AuditEvent.objects.filter(
        person=person, user=kw, what="care plan action done", object_id=str(completion.pk)
    ).exists()
    assert done_descriptions(plan) == {"Ring my sister"}


def test_marking_the_same_action_twice_is_refused_with_when_and_by_whom(kw, person, plan, personas):
    ring = action(plan, "Ring my sister")
    services.plan_action_mark_done(by=kw, action=ring)
    with pytest.raises(ValidationError, match=f"already marked as done on {format_date(TODAY())} by Test"):
        services.plan_action_mark_done(by=personas.key_worker, action=ring, note="Me too")
    assert PlanActionCompletion.objects.count() == 1
    assert person.timeline.filter(kind="plan_action_done").count() == 1


def test_only_plan_editors_or_the_owning_organisation_on_the_care_team_may_mark(kw, person, plan, personas):
    ring, benefits = action(plan, "Ring my sister"), action(plan, "Benefits check")
    # No relationship with the person at all.
    with pytest.raises(NotAllowed):
        services.plan_action_mark_done(by=personas.outsider, action=benefits)
    # May read the record (the GP practice), but may not edit the plan and is not on the care team.
    with pytest.raises(NotAllowed):
        services.plan_action_mark_done(by=personas.gp_practice_staff, action=benefits)
    # On the care team, but from another organisation than the one that owns the action.
    with pytest.raises(NotAllowed):
        services.plan_action_mark_done(by=personas.peer_support_worker, action=benefits)
    # The VCFSE partner may mark their organisation's action, not the person's own.
    with pytest.raises(NotAllowed):
        services.plan_action_mark_done(by=personas.partner_professional, action=ring)
    assert not PlanActionCompletion.objects.exists()
    assert not person.timeline.filter(kind="plan_action_done").exists()
    services.plan_action_mark_done(by=personas.partner_professional, action=benefits)
    services.plan_action_mark_done(by=kw, action=ring)
    assert done_descriptions(plan) == {"Ring my sister", "Benefits check"}


def test_leaving_the_care_team_ends_the_right_to_mark(kw, person, plan, personas):
    partner = personas.partner_professional
    services.care_team_end(by=kw, member=person.care_team.get(user=partner, ended__isnull=True))
    with pytest.raises(NotAllowed):
        services.plan_action_mark_done(by=partner, action=action(plan, "Benefits check"))


def test_a_bad_note_is_refused_and_nothing_is_stored(kw, person, plan):
    with pytest.raises(ValidationError) as e:
        services.plan_action_mark_done(by=kw, action=action(plan, "Ring my sister"), note="<b>done</b>")
    assert "note" in e.value.message_dict
    assert not PlanActionCompletion.objects.exists()


def test_done_carries_over_to_the_next_version_and_agreed_rows_are_unchanged(kw, person, plan):
    before = {a.pk: model_to_dict(a) for a in PlanAction.objects.filter(version=plan)}
    version_before = model_to_dict(CarePlanVersion.objects.get(pk=plan.pk))
    services.plan_action_mark_done(by=kw, action=action(plan, "Ring my sister"), note="Done")
    # The agreed version and its actions are exactly as they were.
    assert {a.pk: model_to_dict(a) for a in PlanAction.objects.filter(version=plan)} == before
    assert model_to_dict(CarePlanVersion.objects.get(pk=plan.pk)) == version_before
    # A new draft copies the actions; the copy of the done action is done, in the draft and once agreed.
    v2 = agree_new_version(kw, person)
    assert v2.number == 2 and action(v2, "Ring my sister").pk != action(plan, "Ring my sister").pk
    assert done_descriptions(v2) == {"Ring my sister"}
    current = plan_current_for(person=person)
    assert current.pk == v2.pk
    assert {a.description for a in current.actions.all() if a.done_at} == {"Ring my sister"}
    # And again a version later: copies of copies still point to the first row.
    v3 = agree_new_version(kw, person)
    assert done_descriptions(v3) == {"Ring my sister"}
    assert action(v3, "Ring my sister").origin_id == action(plan, "Ring my sister").pk
    # Still one completion, recorded against version 1's row; version 1 is still as agreed.
    assert PlanActionCompletion.objects.get().action_id == action(plan, "Ring my sister").pk
    assert {a.pk: model_to_dict(a) for a in PlanAction.objects.filter(version=plan)} == before
    # Marking the copy in the current version is refused as twice.
    with pytest.raises(ValidationError, match="already marked as done"):
        services.plan_action_mark_done(by=kw, action=action(v3, "Ring my sister"))


def test_an_action_marked_in_a_later_version_shows_done_in_earlier_versions_too(kw, person, plan):
    v2 = agree_new_version(kw, person)
    services.plan_action_mark_done(by=kw, action=action(v2, "Benefits check"))
    assert done_descriptions(plan) == {"Benefits check"}
    assert done_descriptions(v2) == {"Benefits check"}
    # The action written in version 2 is its own action, still open.
    assert "Join the walking group" not in done_descriptions(v2)


def test_only_actions_in_the_current_agreed_plan_can_be_marked(kw, person, plan):
    agree_new_version(kw, person)
    with pytest.raises(ValidationError, match="not in the current agreed plan"):
        services.plan_action_mark_done(by=kw, action=action(plan, "Ring my sister"))
    draft = services.plan_draft_start(by=kw, person=person)
    with pytest.raises(ValidationError, match="not in the current agreed plan"):
        services.plan_action_mark_done(by=kw, action=action(draft, "Ring my sister"))
    assert not PlanActionCompletion.objects.exists()


def test_a_done_action_leaves_my_tasks(kw, person, plan, personas, client):
    partner = personas.partner_professional
    assert [a.description for a in plan_actions_for_user(user=partner)] == ["Benefits check"]
    assert [t.description for t in tasks_for(partner) if t.source == "Care plan action"] == ["Benefits check"]
    services.plan_action_mark_done(by=partner, action=action(plan, "Benefits check"))
    assert plan_actions_for_user(user=partner) == []
    assert all(t.source != "Care plan action" for t in tasks_for(partner))
    client.force_login(partner)
    assert "Benefits check" not in client.get("/tasks/").content.decode()
    # Still gone after a new version is agreed.
    agree_new_version(kw, person)
    assert plan_actions_for_user(user=partner) == []


# --- The pages -----------------------------------------------------------------------------------------------


def test_plan_page_links_each_open_action_to_mark_as_done_and_the_form_marks_it(client, kw, person, plan):
    ring = action(plan, "Ring my sister")
    url = f"/care/{person.pk}/plan/actions/{ring.pk}/done/"
    client.force_login(kw)
    page = client.get(f"/care/{person.pk}/plan/").content.decode()
    assert url in page and "Mark as done" in page
    form = client.get(url)
    assert form.status_code == 200
    body = form.content.decode()
    assert "Ring my sister" in body and 'name="note"' in body and "Mark as done" in body
    response = client.post(url, {"note": "Rang her on Sunday"})
    assert response.status_code == 302 and response["Location"] == f"/care/{person.pk}/plan/"
    assert PlanActionCompletion.objects.get(action=ring).note == "Rang her on Sunday"
    page = client.get(f"/care/{person.pk}/plan/").content.decode()
    assert f'Done</strong> <span class="app-nowrap">{format_date(TODAY())}</span>' in page
    assert url not in page
    # The done page shows who and when, and no form; a second post is refused with the reason.
    again = client.get(url).content.decode()
    assert "Marked as done on" in again and "Rang her on Sunday" in again and 'name="note"' not in again
    response = client.post(url, {"note": ""})
    assert response.status_code == 200 and "already marked as done" in response.content.decode()
    # The printable copy shows it as done.
    printed = client.get(f"/care/{person.pk}/plan/print/").content.decode()
    assert f'<strong class="app-print__done">Done</strong> {format_date(TODAY())}' in printed


def test_bad_note_shows_an_error_and_marks_nothing(client, kw, person, plan):
    ring = action(plan, "Ring my sister")
    client.force_login(kw)
    url = f"/care/{person.pk}/plan/actions/{ring.pk}/done/"
    for note in ("<script>alert(1)</script>", "x" * 1001):
        response = client.post(url, {"note": note})
        body = response.content.decode()
        assert response.status_code == 200 and "nhsuk-error-summary" in body and "Error:" in body
    assert not PlanActionCompletion.objects.exists()


def test_an_empty_post_marks_the_action_done_without_a_note(client, kw, person, plan):
    ring = action(plan, "Ring my sister")
    client.force_login(kw)
    assert client.post(f"/care/{person.pk}/plan/actions/{ring.pk}/done/").status_code == 302
    assert PlanActionCompletion.objects.get(action=ring).note == ""


def test_owning_organisation_marks_its_action_and_others_are_told_who_can(client, person, plan, personas):
    ring, benefits = action(plan, "Ring my sister"), action(plan, "Benefits check")
    partner = personas.partner_professional
    client.force_login(partner)
    page = client.get(f"/care/{person.pk}/plan/").content.decode()
    assert f"/plan/actions/{benefits.pk}/done/" in page and "Ring my sister" not in page
    # The person's own action is not shared with the partner: the page does not show it, and offers no form.
    hidden = client.get(f"/care/{person.pk}/plan/actions/{ring.pk}/done/").content.decode()
    assert "Ring my sister" not in hidden and 'name="note"' not in hidden
    assert client.post(f"/care/{person.pk}/plan/actions/{ring.pk}/done/", {"note": ""}).status_code == 403
    assert client.post(f"/care/{person.pk}/plan/actions/{benefits.pk}/done/", {"note": ""}).status_code == 302
    # The GP practice may read the plan but not mark: no link, an explanation, and a refused post.
    client.force_login(personas.gp_practice_staff)
    page = client.get(f"/care/{person.pk}/plan/").content.decode()
    assert "/done/" not in page and "Not done yet" in page
    body = client.get(f"/care/{person.pk}/plan/actions/{ring.pk}/done/").content.decode()
    assert "Only staff who may change the plan can mark this action as done" in body and 'name="note"' not in body
    assert client.post(f"/care/{person.pk}/plan/actions/{ring.pk}/done/", {"note": ""}).status_code == 403
    assert not PlanActionCompletion.objects.filter(action=ring).exists()
    # Once the person's own action is done, the partner still learns nothing about it (not even the note).
    services.plan_action_mark_done(by=personas.community_clinician, action=ring, note="Sister visited")
    client.force_login(partner)
    hidden = client.get(f"/care/{person.pk}/plan/actions/{ring.pk}/done/").content.decode()
    assert "Sister visited" not in hidden and "Marked as done" not in hidden and "Ring my sister" not in hidden


def test_action_page_is_not_found_for_other_peoples_or_older_actions(client, kw, person, plan, personas):
    client.force_login(kw)
    old = action(plan, "Ring my sister")
    agree_new_version(kw, person)
    assert client.get(f"/care/{person.pk}/plan/actions/{old.pk}/done/").status_code == 404
    assert client.get(f"/care/{person.pk}/plan/actions/999999/done/").status_code == 404
    client.force_login(personas.outsider)
    current = plan_current_for(person=person)
    assert client.get(f"/care/{person.pk}/plan/actions/{current.actions.first().pk}/done/").status_code == 404


def test_a_new_draft_shows_which_copied_actions_are_done(client, kw, person, plan):
    services.plan_action_mark_done(by=kw, action=action(plan, "Ring my sister"))
    services.plan_draft_start(by=kw, person=person)
    client.force_login(kw)
    body = client.get(f"/care/{person.pk}/plan/draft/actions/").content.decode()
    row = body[body.index("Ring my sister") :].split("</tr>")[0]
    assert f"Done</strong> {format_date(TODAY())}" in row
    assert "Done</strong>" not in body[body.index("Benefits check") :].split("</tr>")[0]
    preview = client.get(f"/care/{person.pk}/plan/draft/agree/").content.decode()
    assert 'nhsuk-tag--green">Done</strong>' in preview and "/done/" not in preview
