"""Many regions (docs/regions.md): staff of one region never see another region's people, registers, figures or
audit trail; a person who moves keeps one record, and who sees it follows their relationships and consent."""

import datetime as dt

import pytest

from joinedup.accounts.roles import ConsentKind, Perm, Role
from joinedup.care.models import CareTeamMember
from joinedup.care.queries import caseload_for
from joinedup.care.services import care_team_add, care_team_end
from joinedup.core.access import forget, may, user_regions, visible_people
from joinedup.core.models import AuditAction, AuditEvent, TimelineEntry
from joinedup.core.queries import audit_events
from joinedup.people.queries import search_people
from joinedup.people.services import consent_record, person_update

pytestmark = pytest.mark.django_db


def sees(user, person) -> bool:
    forget(user)
    return may(user, Perm.VIEW_RECORD, person)


def test_each_persona_belongs_to_their_own_region_only(personas, northshire_personas, region, second_region):
    assert user_regions(personas.commissioner) == {region.pk}
    assert user_regions(northshire_personas.commissioner) == {second_region.pk}
    assert user_regions(northshire_personas.gp_practice_staff) == {second_region.pk}


def test_search_and_caseloads_find_only_their_own_regions_people(
    personas, person, northshire_personas, northshire_person
):
    for kind, own, other in (("LSC", personas, northshire_person), ("Northshire", northshire_personas, person)):
        mine = person if kind == "LSC" else northshire_person
        clinician = own.community_clinician  # on their own region's person's care team, as key worker
        assert [m.person for m in search_people(by=clinician, nhs_number=mine.nhs_number)] == [mine]
        assert search_people(by=clinician, nhs_number=other.nhs_number) == []
        assert search_people(by=own.gp_practice_staff, nhs_number=other.nhs_number) == []
        assert [row.pk for row in caseload_for(user=clinician)] == [mine.pk]
        assert not visible_people(own.outsider).filter(pk__in=[person.pk, northshire_person.pk]).exists()


def test_a_care_team_of_another_region_cannot_be_joined_by_someone_who_cannot_see_the_person(
    personas, person, northshire_personas
):
    from joinedup.care.services import NotAllowed

    with pytest.raises(NotAllowed):
        care_team_add(
            by=northshire_personas.mhp,
            person=person,
            user=northshire_personas.mhp,
            organisation=northshire_personas.mhp.primary_organisation,
            role_title="Mental health practitioner",
        )


# A person who moves ----------------------------------------------------------------------------------------------


def move(person, practice, by):
    return person_update(by=by, person=person, expected_version=person.version, practice=practice)


def test_a_person_who_moves_keeps_one_record_and_the_old_region_keeps_only_the_open_care_team(
    personas, person, northshire_personas, northshire_practice
):
    record_pk = person.pk
    moved = move(person, northshire_practice, by=personas.gp_practice_staff)

    assert moved.pk == record_pk and moved.practice == northshire_practice
    # The old practice and PCN no longer hold the record; their relationships were by place.
    assert not sees(personas.gp_practice_staff, moved)
    assert not sees(personas.mhp, moved)
    # The old region's care team keeps what its open membership gives (the person consents to NHS sharing)...
    assert sees(personas.community_clinician, moved)
    # ...until it is ended.
    member = CareTeamMember.objects.get(person=moved, user=personas.community_clinician, ended__isnull=True)
    care_team_end(by=personas.community_clinician, member=member, reason="Moved to Northshire")
    assert not sees(personas.community_clinician, moved)
    # The new practice and PCN see them at once: the person's own GP holds their record.
    assert sees(northshire_personas.gp_practice_staff, moved)
    assert sees(northshire_personas.mhp, moved)
    # The new region's other teams have no relationship yet.
    assert not sees(northshire_personas.community_clinician, moved)
    assert not sees(northshire_personas.partner_professional, moved)
    # The timeline and audit trail are one: the move is on the same record's timeline.
    assert TimelineEntry.objects.filter(person=moved, kind="details_changed").count() == 1


@pytest.mark.parametrize("consent_given", [True, False])
def test_the_new_regions_teams_see_a_person_who_moved_only_as_their_consent_allows(
    personas, person, northshire_personas, northshire_practice, consent_given
):
    moved = move(person, northshire_practice, by=personas.gp_practice_staff)
    new_gp = northshire_personas.gp_practice_staff
    consent_record(by=new_gp, person=moved, kind=ConsentKind.NHS, given=consent_given, note="Asked at registration")
    consent_record(by=new_gp, person=moved, kind=ConsentKind.VCFSE, given=consent_given, note="Asked at registration")
    moved.refresh_from_db()
    # The new PCN's practitioner brings in the community team and the voluntary sector partner.
    for user in (northshire_personas.community_clinician, northshire_personas.partner_professional):
        care_team_add(
            by=northshire_personas.mhp,
            person=moved,
            user=user,
            organisation=user.primary_organisation,
            role_title=user.primary_membership.get_role_display(),
        )
        assert sees(user, moved) is consent_given
        assert bool(search_people(by=user, nhs_number=moved.nhs_number)) is consent_given
    # The old region's open care team membership needs the same consent.
    assert sees(personas.community_clinician, moved) is consent_given
    assert sees(personas.partner_professional, moved) is consent_given
    # The new practice sees its own patient whatever the sharing consent.
    assert sees(new_gp, moved)


def test_a_person_with_no_practice_is_reached_only_through_relationships_made_with_them(
    personas, person, northshire_personas
):
    unregistered = move(person, None, by=personas.gp_practice_staff)  # left their practice, not yet registered
    assert sees(personas.community_clinician, unregistered)  # on their care team
    assert not sees(personas.gp_practice_staff, unregistered)
    assert not sees(northshire_personas.mhp, unregistered)
    assert not sees(northshire_personas.community_clinician, unregistered)


# Figures and the audit trail ------------------------------------------------------------------------------------


def test_reports_cover_the_readers_own_region_and_refuse_the_others_areas(
    client, personas, northshire_personas, second_region
):
    client.force_login(northshire_personas.commissioner)
    page = client.get("/reports/emdt/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Northshire" in html and "Blackpool" not in html
    refused = client.get("/reports/emdt/?area=locality:blackpool")
    assert refused.status_code == 404
    assert AuditEvent.objects.filter(user=northshire_personas.commissioner, action=AuditAction.REFUSED).exists()
    assert client.get("/reports/emdt/export/?area=locality:blackpool&table=referrals").status_code in (400, 404)

    client.force_login(personas.commissioner)
    html = client.get("/reports/emdt/").content.decode()
    assert "Blackpool" in html and "Ashby Dale" not in html
    assert client.get("/reports/emdt/?area=locality:northshire-ashby").status_code == 404
    assert client.get("/reports/emdt/?area=icb:ZZNSICB01").status_code == 404


def test_the_ig_audit_search_shows_only_the_readers_regions_trail(
    client, personas, person, northshire_personas, northshire_person
):
    lsc_ig, north_ig = personas.ig_lead, northshire_personas.ig_lead
    assert audit_events(nhs_number=person.nhs_number, regions=user_regions(lsc_ig))
    assert audit_events(nhs_number=person.nhs_number, regions=user_regions(north_ig)) == []
    assert audit_events(nhs_number=northshire_person.nhs_number, regions=user_regions(north_ig))
    assert audit_events(username=personas.gp_practice_staff.username, regions=user_regions(north_ig)) == []
    recent = audit_events(regions=user_regions(north_ig))
    assert recent and all(e.person_id in (None, northshire_person.pk) for e in recent)

    client.force_login(north_ig)
    page = client.get(f"/governance/audit/?nhs_number={person.nhs_number}")
    assert page.status_code == 200
    assert "999 000 0018" not in page.content.decode()
    client.force_login(lsc_ig)
    assert "999 000 0018" in client.get(f"/governance/audit/?nhs_number={person.nhs_number}").content.decode()


def test_region_wide_roles_get_their_own_region_only(personas, northshire_personas):
    for role in (Role.COMMISSIONER, Role.IG_LEAD, Role.ADMINISTRATOR):
        lsc, north = personas.by_role[role], northshire_personas.by_role[role]
        assert user_regions(lsc).isdisjoint(user_regions(north))


def test_the_access_review_lists_the_reviewers_own_regions_staff_only(client, personas, northshire_personas):
    from django.utils import timezone

    from joinedup.accounts.models import User

    long_ago = timezone.now() - dt.timedelta(days=400)
    User.objects.filter(pk__in=[personas.volunteer.pk, northshire_personas.volunteer.pk]).update(
        date_joined=long_ago, last_login=None
    )
    for reviewer, own, other in (
        (personas.ig_lead, personas.volunteer, northshire_personas.volunteer),
        (northshire_personas.ig_lead, northshire_personas.volunteer, personas.volunteer),
    ):
        client.force_login(reviewer)
        html = client.get("/staff/access-review/").content.decode()
        assert own.username in html and other.username not in html
