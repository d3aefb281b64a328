"""Issue 9, item 3 (hazard H22, every service): the timeline says that something happened and where; its clinical
content shows only to a reader who may open the page the entry links to. Read through the pages, signed in with
CSRF on, as a VCFSE partner on the person's care team (who reads the record but not the primary care, peer support,
health check or level of care pages, nor the EMDT papers) and as the clinicians who may."""

import html

import pytest
from django.utils import timezone

from joinedup.care.models import LevelOfCare
from joinedup.care.services import level_of_care_change
from joinedup.core.models import Service, TimelineEntry

pytestmark = pytest.mark.django_db

LEVEL_REASON = "Relapse after bereavement: needs the community team"
PEER_NOTE = "Talked about her brother's death and the hearing voices group"


@pytest.fixture
def history(personas, person, pc_episode, emdt_chain, peer_allocation, hc_check):
    """Something in every service, each with clinical content, made through the services."""
    from joinedup.peersupport.services import contact_record
    from joinedup.primarycare.services import assessment_record

    assessment_record(
        by=personas.mhp,
        episode=pc_episode,
        assessed_on=timezone.localdate(),
        needs={"mental_health": "Low mood", "money": "Rent arrears"},
        risk_summary="No current thoughts of self-harm",
        what_matters="Getting back to work",
        baseline="dialog",
    )
    level_of_care_change(by=personas.community_clinician, person=person, level=LevelOfCare.CMHT, reason=LEVEL_REASON)
    contact_record(
        by=peer_allocation.worker.user,
        allocation=peer_allocation,
        on=timezone.localdate(),
        duration_minutes=45,
        method="face_to_face",
        what_was_done=PEER_NOTE,
    )
    entries = list(TimelineEntry.objects.filter(person=person))
    assert {e.service for e in entries} == set(Service.values), "the history must cover every service"
    return entries


def timeline_page(client, person):
    response = client.get(f"/people/{person.pk}/timeline/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_partner_reads_that_things_happened_but_not_their_clinical_content(sign_in, personas, person, history):
    partner = sign_in(personas.partner_professional)
    assert partner.get(f"/primary-care/{person.pk}/").status_code == 403
    page = timeline_page(partner, person)

    by_kind = {e.kind: e for e in history}
    for kind, content in (
        ("assessment", "mental health, money"),  # the needs assessed in primary care
        ("level_of_care", LEVEL_REASON),
        ("peer_contact", PEER_NOTE),
        ("emdt_request", "Debt advice"),  # the services named on the EMDT request
        ("check_recorded", "Follow-up suggested"),
    ):
        # A service taking the person on records its own level of care too: check the entry this history wrote.
        entry = next((e for e in history if e.kind == kind and content in e.detail), by_kind[kind])
        assert content in entry.detail, kind
        assert entry.summary in page, f"{kind}: the partner should still see that it happened"
        assert content not in page, f"{kind}: the partner reads its content"
        assert entry.link not in page, f"{kind}: the partner is linked to a page they may not open"
    assert "Assessed by" in page and "Level of care" in page


def test_every_entry_a_partner_may_not_open_keeps_its_content_from_them(sign_in, personas, person, history):
    from joinedup.core.access import may
    from joinedup.core.timeline import page_permission

    partner = personas.partner_professional
    page = timeline_page(sign_in(partner), person)
    hidden = [e for e in history if e.detail and not may(partner, page_permission(e.link), person)]
    assert len(hidden) >= 5
    for entry in hidden:
        assert entry.detail not in page, entry.kind


def test_clinicians_who_may_open_the_pages_read_the_content(sign_in, personas, person, history):
    page = timeline_page(sign_in(personas.mhp), person)
    for content in ("Needs in mental health, money", LEVEL_REASON, "Debt advice"):
        assert content in page, content


@pytest.mark.parametrize(
    ("role", "status"), [("partner_professional", 403), ("volunteer", 403), ("gp_practice_staff", 200)]
)
def test_the_discussion_summary_for_the_gp_is_for_clinicians_and_the_practice(
    sign_in, personas, emdt_chain, role, status
):
    discussion = emdt_chain["discussion"]
    client = sign_in(getattr(personas, role))
    assert client.get(f"/meetings/{discussion.person_id}/discussions/{discussion.pk}/for-the-gp/").status_code == status
    page = client.get(f"/meetings/{discussion.person_id}/discussions/{discussion.pk}/").content.decode()
    assert ("Summary for the GP" in page) == (status == 200)
