import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.core.models import AuditEvent, TimelineEntry
from joinedup.directory.models import Team, TeamKind
from joinedup.people.services import NotAllowed
from joinedup.referrals.models import EmdtRequest, EmdtRequestTransition, RequestState
from joinedup.referrals.services import DuplicateRequest, emdt_request_decline

from .fixtures import make_request

pytestmark = pytest.mark.django_db


def test_mhp_request_goes_to_the_emdt_of_the_persons_practice(personas, person, practice):
    r = make_request(by=personas.mhp, person=person, urgency="urgent")
    assert r.team == Team.objects.get(kind=TeamKind.EMDT, locality=practice.locality)
    assert r.state == RequestState.SUBMITTED and r.priority == 0
    assert sorted(s.code for s in r.services.all()) == ["debt-advice", "housing-support"]
    assert [(t.from_state, t.to_state) for t in r.transitions.all()] == [("", "submitted")]
    entry = TimelineEntry.objects.get(person=person, kind="emdt_request")
    assert entry.service == "emdt" and f"/referrals/{person.pk}/requests/{r.pk}/" == entry.link
    assert AuditEvent.objects.filter(person=person, what="EMDT request", action="create").exists()


def test_community_clinician_can_request(personas, person):
    assert make_request(by=personas.community_clinician, person=person).referrer == personas.community_clinician


@pytest.mark.parametrize("role", ["partner_professional", "key_worker", "emdt_coordinator", "gp_practice_staff"])
def test_anyone_but_a_mental_health_practitioner_is_refused_with_the_reason(personas, person, role):
    with pytest.raises(NotAllowed, match="Only a mental health practitioner"):
        make_request(by=getattr(personas, role), person=person)
    assert not EmdtRequest.objects.exists()


def test_self_referral_is_refused(personas, person):
    from joinedup.people.services import person_update

    me = personas.mhp
    me.email = "zoe.ashworth@example.org"
    me.save()
    person = person_update(
        by=personas.mhp, person=person, expected_version=person.version, email="Zoe.Ashworth@example.org"
    )
    assert person.email
    with pytest.raises(NotAllowed, match="cannot refer themselves"):
        make_request(by=me, person=person)
    assert not EmdtRequest.objects.exists()


def test_outsider_cannot_request_for_someone_they_cannot_see(personas, person):
    with pytest.raises(NotAllowed):
        make_request(by=personas.outsider, person=person)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"meets_complex_needs": False}, "meets_complex_needs", "Criterion 1 is not met"),
        ({"meets_care_plan_gap": False}, "meets_care_plan_gap", "Criterion 2 is not met"),
        ({"complex_needs": "  "}, "complex_needs", "Criterion 1: describe"),
        ({"care_plan_gap": ""}, "care_plan_gap", "Criterion 2: say why"),
        ({"services": []}, "services", "Criterion 1: name the services"),
        ({"services": ["debt-advice", "astrology"]}, "services", "Not one of the region's EMDT services: astrology"),
        ({"consent_to_discuss": False}, "consent_to_discuss", "must agree to be discussed"),
        ({"consent_to_discuss": None}, "consent_to_discuss", "Say whether the person agrees"),
        ({"wants_to_attend": "maybe"}, "wants_to_attend", "wants to attend"),
        ({"urgency": "yesterday"}, "urgency", "how urgent"),
        ({"complex_needs": "<script>x</script>"}, "complex_needs", ""),
    ],
)
def test_bad_requests_are_refused_saying_what_is_missing(personas, person, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        make_request(by=personas.mhp, person=person, **overrides)
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert not EmdtRequest.objects.exists() and not EmdtRequestTransition.objects.exists()


def test_both_criteria_missing_names_both(personas, person):
    with pytest.raises(ValidationError) as error:
        make_request(by=personas.mhp, person=person, meets_complex_needs=False, meets_care_plan_gap=False)
    assert {"meets_complex_needs", "meets_care_plan_gap"} <= set(error.value.message_dict)


def test_children_are_refused(personas, practice):
    from joinedup.people.services import person_register

    today = timezone.localdate()
    child = person_register(
        by=personas.gp_practice_staff,
        given_name="Sam",
        family_name="Young",
        date_of_birth=today.replace(year=today.year - 18) + dt.timedelta(days=1),
        practice=practice,
        consents={"nhs": True},
    )
    with pytest.raises(ValidationError, match="adults only: Sam Young is 17"):
        make_request(by=personas.mhp, person=child)


def test_a_person_who_has_not_agreed_to_nhs_sharing_cannot_be_requested_for(personas, person):
    from joinedup.people.services import consent_record

    consent_record(by=personas.mhp, person=person, kind="nhs", given=False, note="Withdrawn at review")
    person.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        make_request(by=personas.mhp, person=person)
    assert "Record their consent to share first" in error.value.message_dict["consent_to_discuss"][0]
    assert not EmdtRequest.objects.exists()


def test_another_emdt_needs_a_reason(personas, person):
    furness = Team.objects.get(kind=TeamKind.EMDT, locality__code="furness")
    with pytest.raises(ValidationError) as error:
        make_request(by=personas.mhp, person=person, team=furness)
    assert "different EMDT" in error.value.message_dict["other_emdt_reason"][0]
    r = make_request(by=personas.mhp, person=person, team=furness, other_emdt_reason="Moving to Barrow next month")
    assert r.team == furness and r.other_emdt_reason


def test_a_second_open_request_is_blocked_and_names_the_first(personas, person):
    first = make_request(by=personas.mhp, person=person)
    with pytest.raises(DuplicateRequest) as error:
        make_request(by=personas.community_clinician, person=person)
    assert error.value.existing == first
    assert "already has an open request" in error.value.messages[0]
    assert EmdtRequest.objects.count() == 1


def test_the_database_refuses_a_second_open_request_too(personas, person, emdt_request):
    with pytest.raises(IntegrityError), transaction.atomic():
        EmdtRequest.objects.create(
            person=person,
            team=emdt_request.team,
            referrer=personas.mhp,
            complex_needs="x",
            care_plan_gap="y",
            consent_to_discuss=True,
            wants_to_attend="yes",
        )


def test_after_a_decline_a_new_request_can_be_made(personas, person, emdt_request):
    emdt_request_decline(
        by=personas.emdt_coordinator,
        request=emdt_request,
        reason="Needs are met by the practice",
        recommendation="Peer support",
    )
    assert make_request(by=personas.mhp, person=person).state == RequestState.SUBMITTED
