import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from joinedup.care.models import CareTeamMember, KeyWorkerChange, PersonNotification
from joinedup.care.queries import care_team_for, key_worker_for
from joinedup.care.services import key_worker_assign
from joinedup.core.models import AuditEvent
from joinedup.people.services import NotAllowed

pytestmark = pytest.mark.django_db


def test_changing_key_worker_ends_the_previous_keeps_history_and_tells_the_person(personas, person):
    before = key_worker_for(person=person)
    assert before.user == personas.community_clinician
    change = key_worker_assign(
        by=personas.mhp,
        person=person,
        user=personas.key_worker,
        reason="Moving to the community team's key worker",
        handover_note="Prefers texts after 2pm; sister Jo is her main support",
    )
    now = key_worker_for(person=person)
    assert now.user == personas.key_worker
    assert change.previous == before and change.new == now
    before.refresh_from_db()
    assert before.ended is not None  # the key-worker period is kept, closed
    # The previous key worker stays on the care team, no longer as key worker.
    team = {m.user_id: m for m in care_team_for(person=person)}
    assert not team[personas.community_clinician.pk].is_key_worker
    assert CareTeamMember.objects.filter(person=person, is_key_worker=True, ended__isnull=True).count() == 1
    assert person.timeline.filter(kind="key_worker").exists()
    note = PersonNotification.objects.get(person=person, kind="key_worker")
    assert now.name in note.message
    assert AuditEvent.objects.filter(person=person, what="key worker").exists()


def test_the_database_refuses_a_second_active_key_worker(personas, person):
    with pytest.raises(IntegrityError), transaction.atomic():
        CareTeamMember.objects.create(
            person=person,
            user=personas.mhp,
            name="Another",
            organisation=personas.mhp.primary_organisation,
            role_title="MHP",
            is_key_worker=True,
        )


@pytest.mark.parametrize(
    ("reason", "handover", "message"),
    [("", "Note", "reason for the change"), ("Workload", "", "handover note")],
)
def test_change_without_reason_or_handover_note_is_refused_and_nothing_changes(
    personas, person, reason, handover, message
):
    with pytest.raises(ValidationError, match=message):
        key_worker_assign(
            by=personas.mhp, person=person, user=personas.key_worker, reason=reason, handover_note=handover
        )
    assert key_worker_for(person=person).user == personas.community_clinician
    assert not KeyWorkerChange.objects.exists()
    assert not PersonNotification.objects.exists()


def test_naming_the_current_key_worker_again_is_refused(personas, person):
    with pytest.raises(ValidationError, match="already the key worker"):
        key_worker_assign(
            by=personas.mhp, person=person, user=personas.community_clinician, reason="Again", handover_note="x"
        )


def test_outsider_cannot_change_key_worker(personas, person):
    with pytest.raises(NotAllowed):
        key_worker_assign(by=personas.outsider, person=person, user=personas.outsider, reason="No", handover_note="No")


def test_key_worker_page_changes_key_worker_and_banner_shows_contact(client, personas, person):
    client.force_login(personas.mhp)
    page = client.get(f"/care/{person.pk}/key-worker/")
    assert page.status_code == 200
    response = client.post(
        f"/care/{person.pk}/key-worker/",
        {"user": personas.key_worker.pk, "reason": "Caseload move", "handover_note": "Knows the housing officer"},
    )
    assert response.status_code == 302
    plan = client.get(f"/care/{person.pk}/plan/").content.decode()
    assert "single point of contact" in plan
    assert personas.key_worker.get_full_name() in plan
    history = client.get(f"/care/{person.pk}/key-worker/").content.decode()
    assert "Knows the housing officer" in history


def test_key_worker_form_errors_are_shown(client, personas, person):
    client.force_login(personas.mhp)
    response = client.post(f"/care/{person.pk}/key-worker/", {"user": personas.key_worker.pk, "reason": ""})
    assert response.status_code == 200
    assert "Enter the reason for the change" in response.content.decode()
    assert key_worker_for(person=person).user == personas.community_clinician
