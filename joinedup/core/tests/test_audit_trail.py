"""The audit trail as information governance reads it: every read says why, every list says whom it showed,
every refusal is kept, and the table cannot be emptied."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from joinedup.core.models import AuditAction, AuditEvent
from joinedup.core.tests import test_url_walk as walk
from joinedup.core.tests.signing_in import SignedIn

pytestmark = pytest.mark.django_db

url_args = walk.url_args  # the URL walk's fixture: a value for every URL keyword

SHOWN = "999 000 0018"  # Zoë's NHS number as every page prints it


def events_since(before_id, **filters):
    return AuditEvent.objects.filter(pk__gt=before_id, **filters)


def last_id():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_reading_a_record_says_what_for_and_through_which_team(personas, person):
    before = last_id()
    me = SignedIn(personas.community_clinician)
    assert me.get(reverse("people:record", args=[person.pk])).status_code == 200
    event = events_since(before, action=AuditAction.VIEW, person=person).get()
    team = personas.community_clinician.primary_membership.team.name
    assert event.reason.startswith("record") and team in event.reason
    assert event.path == reverse("people:record", args=[person.pk]) and event.ip_address == "127.0.0.1"


def test_emergency_access_keeps_its_reason_address_and_path_and_every_read_under_it_says_why(personas, person):
    stranger = personas.outsider  # an MHP in Furness: no relationship with Zoë
    me = SignedIn(stranger)
    assert me.get(reverse("people:record", args=[person.pk])).status_code == 404
    why = "Called by A&E: she is unwell and they need her care plan tonight"
    before = last_id()
    response = me.post(reverse("people:emergency_access"), {"nhs_number": "999 000 0018", "reason": why})
    assert response.status_code == 302
    granted = events_since(before, action=AuditAction.EMERGENCY_ACCESS).get()
    assert granted.reason == why and granted.person == person
    assert granted.ip_address == "127.0.0.1" and granted.path == reverse("people:emergency_access")
    assert me.get(reverse("people:record", args=[person.pk])).status_code == 200
    read = events_since(granted.pk, action=AuditAction.VIEW, person=person, user=stranger).get()
    assert read.reason == f"record, under emergency access: {why}"


def test_a_refused_person_page_leaves_a_refusal_whoever_asks(personas, person):
    before = last_id()
    outsider = SignedIn(personas.outsider)
    assert outsider.get(reverse("people:record", args=[person.pk])).status_code == 404
    assert outsider.get(reverse("people:record", args=[10**12])).status_code == 404  # nobody has this id
    refused = list(events_since(before, action=AuditAction.REFUSED, user=personas.outsider).order_by("pk"))
    assert [(e.object_id, e.person_id) for e in refused] == [(str(person.pk), None), (str(10**12), None)]
    assert all("404" in e.reason and e.path.startswith("/people/") and e.ip_address for e in refused)


def test_a_forbidden_person_page_leaves_a_refusal_with_the_person(personas, person):
    volunteer = personas.volunteer  # on Zoë's care team, but may not edit her care plan
    before = last_id()
    assert SignedIn(volunteer).get(reverse("care:draft_start", args=[person.pk])).status_code == 403
    refused = events_since(before, action=AuditAction.REFUSED, user=volunteer).get()
    assert refused.person == person and "403" in refused.reason


@pytest.fixture
def on_every_list(on_register, emdt_chain, pc_trainee_session, personas, person):
    """Zoë on a worklist, an EMDT agenda with an action and a review, a PCN caseload with a GP question and a
    session to review, a key worker's caseload, and waiting for triage."""
    from joinedup.referrals.tests.fixtures import make_request

    make_request(by=personas.community_clinician, person=person, urgency="urgent")
    return person


LISTS = {
    "healthchecks:worklist": "outreach_worker",
    "my_tasks": "community_clinician",
    "primarycare:caseload": "mhp",
    "primarycare:supervision": "mhp",
    "referrals:queue": "emdt_coordinator",
    "care:caseload": "community_clinician",
}


@pytest.mark.parametrize("name,who", LISTS.items())
def test_a_list_page_records_each_person_it_shows(client, personas, on_every_list, name, who):
    user = getattr(personas, who)
    me = SignedIn(user)
    before = last_id()
    response = me.get(reverse(name))
    assert response.status_code == 200 and SHOWN in response.content.decode(), f"{name} did not show Zoë"
    listed = events_since(before, user=user, person=on_every_list).get()
    assert listed.action == AuditAction.LISTED and listed.reason and listed.path == reverse(name)


def test_the_agenda_records_each_person_on_it(personas, on_every_list, url_arg_meeting_id, emdt_chain):
    me = SignedIn(personas.emdt_coordinator)
    meeting = emdt_chain["item"].meeting
    before = last_id()
    assert SHOWN in me.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert events_since(before, person=on_every_list, action=AuditAction.LISTED).count() == 1


def test_every_page_that_shows_a_person_records_it(client, personas, on_every_list, url_args):
    """Walks every page that is not about one person with every persona: wherever Zoë's NHS number is on the
    page, the request left an audit row naming her. A new list page cannot forget to."""
    shown_on = set()
    for label, user in personas.all().items():
        client.force_login(user)
        for name, route, view in walk.all_patterns():
            if walk.declaration(view)[0] not in ("perm", "signed_in"):
                continue
            before = last_id()
            response = client.get(walk.fill(route, url_args))
            if response.status_code != 200 or SHOWN not in response.content.decode():
                continue
            shown_on.add(name)
            assert events_since(before, user=user, person=on_every_list).exists(), (
                f"{name} showed Zoë's NHS number to {label} and recorded nothing"
            )
    # (The worklist is not among them here: the walk's health check fixtures have checked Zoë; see above.)
    assert {"my_tasks", "primarycare:caseload", "referrals:queue", "meetings:detail", "care:caseload"} <= shown_on


def test_a_search_records_each_person_found(personas, person):
    me = SignedIn(personas.community_clinician)
    before = last_id()
    response = me.get(reverse("people:search"), {"nhs_number": "999 000 0018"})
    assert SHOWN in response.content.decode()
    assert events_since(before, action=AuditAction.SEARCH, person=person).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE core_auditevent",
        "TRUNCATE core_auditevent CASCADE",
        "DELETE FROM core_auditevent",
        "UPDATE core_auditevent SET reason = ''",
    ],
)
def test_the_audit_table_refuses_to_be_emptied_or_changed(personas, person, sql):
    SignedIn(personas.community_clinician).get(reverse("people:record", args=[person.pk]))
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        # The test's rows are not committed: check their deferred foreign keys now, or PostgreSQL refuses the
        # TRUNCATE for "pending trigger events" before our trigger is asked.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql)
    assert AuditEvent.objects.count() == count > 0


def test_pages_about_a_person_reached_through_a_request_or_agenda_item_record_why(personas, person, emdt_chain):
    me = SignedIn(personas.emdt_coordinator)
    team = personas.emdt_coordinator.primary_membership.team.name
    for url in (
        reverse("referrals:triage", args=[emdt_chain["request"].pk]),
        reverse("meetings:move", args=[emdt_chain["review_item"].pk]),
    ):
        before = last_id()
        assert me.get(url).status_code == 200, url
        read = events_since(before, action=AuditAction.VIEW, person=person).get()
        assert team in read.reason, url
