import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind, Role
from joinedup.core.access import forget, may, visible_people
from joinedup.core.models import AuditEvent, Service, TimelineEntry
from joinedup.peersupport import queries, reference, services
from joinedup.peersupport.models import Allocation, Contact, OfferLink, OutcomeRating, PeerReferral, WorkerKind
from joinedup.people.services import NotAllowed, consent_record, person_register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def fresh_person(personas, practice, nhs_number="9990000026", **consents):
    """Someone with no care team, so the only relationship a peer worker can have is an allocation."""
    return person_register(
        by=personas.gp_practice_staff,
        nhs_number=nhs_number,
        given_name="Aled",
        family_name="Brennan",
        date_of_birth=dt.date(1990, 6, 1),
        practice=practice,
        consents={ConsentKind.NHS: True, ConsentKind.PEER_SUPPORT: consents.get("peer_support", True)},
    )


def refer(personas, person):
    return services.peer_referral_create(by=personas.mhp, person=person, source="mhp", reason="Lonely since moving")


# Referral


def test_referral_waits_in_the_persons_locality_and_is_on_the_timeline(personas, person, practice):
    referral = refer(personas, person)
    assert referral.status == "waiting"
    assert referral.locality == practice.locality
    entry = TimelineEntry.objects.get(person=person, kind="peer_referral")
    assert entry.service == Service.PEER_SUPPORT
    assert AuditEvent.objects.filter(person=person, what="peer support referral").exists()


def test_second_open_referral_is_refused(personas, person):
    refer(personas, person)
    with pytest.raises(ValidationError, match="already has an open referral"):
        refer(personas, person)
    assert PeerReferral.objects.filter(person=person).count() == 1


def test_referral_needs_consent_to_share_with_peer_support(personas, practice):
    someone = fresh_person(personas, practice, peer_support=False)
    from joinedup.care.services import care_team_add

    care_team_add(
        by=personas.mhp,
        person=someone,
        user=personas.mhp,
        organisation=personas.mhp.primary_organisation,
        role_title="MHP",
    )
    with pytest.raises(ValidationError, match="not agreed to share"):
        refer(personas, someone)
    assert not PeerReferral.objects.exists()


def test_volunteer_cannot_refer(personas, person):
    with pytest.raises(NotAllowed):
        services.peer_referral_create(by=personas.volunteer, person=person, source="other", reason="x")


# Allocation


def test_allocation_to_a_worker_covering_the_locality(personas, person, peer_workers, peer_referral):
    allocation = services.allocation_create(
        by=personas.senior_peer_support_worker, referral=peer_referral, worker=peer_workers["volunteer"]
    )
    peer_referral.refresh_from_db()
    assert peer_referral.status == "allocated"
    assert allocation.worker == peer_workers["volunteer"]
    assert "Allocated to" in TimelineEntry.objects.get(person=person, kind="peer_allocated").summary


def test_allocation_outside_the_locality_needs_a_reason(personas, person, peer_workers, peer_referral, far_practice):
    volunteer = services.peer_worker_update(
        by=personas.senior_peer_support_worker, worker=peer_workers["volunteer"], localities=[far_practice.locality]
    )
    with pytest.raises(ValidationError) as e:
        services.allocation_create(by=personas.senior_peer_support_worker, referral=peer_referral, worker=volunteer)
    assert "give a reason" in str(e.value)
    assert not Allocation.objects.exists()
    peer_referral.refresh_from_db()
    assert peer_referral.status == "waiting"
    allocation = services.allocation_create(
        by=personas.senior_peer_support_worker,
        referral=peer_referral,
        worker=volunteer,
        outside_locality_reason="Zoë asked for the volunteer she met at the group",
    )
    assert allocation.outside_locality_reason.startswith("Zoë asked")


def test_allocation_over_the_caseload_limit_is_refused(personas, practice, peer_workers):
    volunteer = peer_workers["volunteer"]  # limit 3
    senior = personas.senior_peer_support_worker
    numbers = ["9990000034", "9990000042", "9990000050", "9990000069"]
    referrals = [refer(personas, fresh_person(personas, practice, nhs_number=n)) for n in numbers]
    for referral in referrals[:3]:
        services.allocation_create(by=senior, referral=referral, worker=volunteer)
    with pytest.raises(ValidationError, match="caseload is full"):
        services.allocation_create(by=senior, referral=referrals[3], worker=volunteer)
    assert Allocation.objects.filter(worker=volunteer).count() == 3
    referrals[3].refresh_from_db()
    assert referrals[3].status == "waiting"


def test_only_a_senior_allocates(personas, peer_workers, peer_referral):
    with pytest.raises(NotAllowed):
        services.allocation_create(
            by=personas.peer_support_worker, referral=peer_referral, worker=peer_workers["worker"]
        )


def test_ending_frees_the_caseload_and_closes_the_referral(personas, peer_allocation):
    services.allocation_end(by=personas.peer_support_worker, allocation=peer_allocation, reason="Goals met")
    peer_allocation.refresh_from_db()
    assert peer_allocation.ended == TODAY()
    assert PeerReferral.objects.get(pk=peer_allocation.referral_id).status == "closed"
    with pytest.raises(ValidationError):
        services.contact_record(
            by=personas.peer_support_worker,
            allocation=peer_allocation,
            on=TODAY(),
            duration_minutes=30,
            method="phone",
            what_was_done="Chat",
        )


# Access


def test_a_worker_sees_only_the_people_allocated_to_them(personas, practice, peer_workers):
    worker = personas.peer_support_worker
    mine = fresh_person(personas, practice, nhs_number="9990000034")
    not_mine = fresh_person(personas, practice, nhs_number="9990000042")
    assert not visible_people(worker).filter(pk__in=[mine.pk, not_mine.pk]).exists()
    services.allocation_create(
        by=personas.senior_peer_support_worker, referral=refer(personas, mine), worker=peer_workers["worker"]
    )
    refer(personas, not_mine)
    forget(worker)
    visible = set(visible_people(worker).filter(pk__in=[mine.pk, not_mine.pk]).values_list("pk", flat=True))
    assert visible == {mine.pk}
    assert [a.person for a in queries.caseload_for(by=worker)] == [mine]


def test_withdrawing_peer_support_consent_hides_the_person_at_once(personas, practice, peer_workers):
    worker = personas.peer_support_worker
    someone = fresh_person(personas, practice)
    services.allocation_create(
        by=personas.senior_peer_support_worker, referral=refer(personas, someone), worker=peer_workers["worker"]
    )
    forget(worker)
    assert may(worker, "peersupport.record", someone)
    consent_record(by=personas.gp_practice_staff, person=someone, kind=ConsentKind.PEER_SUPPORT, given=False)
    forget(worker)
    assert not visible_people(worker).filter(pk=someone.pk).exists()
    assert queries.caseload_for(by=worker) == []


def test_a_senior_sees_waiting_referrals_in_their_localities_and_supervisees_caseloads(
    personas, practice, far_practice, peer_workers
):
    senior = personas.senior_peer_support_worker
    here = fresh_person(personas, practice, nhs_number="9990000034")
    far = fresh_person(personas, far_practice, nhs_number="9990000042")
    from joinedup.care.services import care_team_add

    care_team_add(
        by=personas.outsider,
        person=far,
        user=personas.outsider,
        organisation=personas.outsider.primary_organisation,
        role_title="MHP",
    )
    services.peer_referral_create(by=personas.outsider, person=far, source="mhp", reason="Far away")
    referral = refer(personas, here)
    forget(senior)
    assert [r.person for r in queries.waiting_referrals_for(by=senior)] == [here]
    services.allocation_create(by=senior, referral=referral, worker=peer_workers["volunteer"])
    forget(senior)
    assert [a.person for a in queries.supervisees_caseloads_for(by=senior)] == [here]
    assert visible_people(senior).filter(pk=here.pk).exists()
    assert not visible_people(senior).filter(pk=far.pk).exists()
    assert not visible_people(personas.volunteer).filter(pk=far.pk).exists()


def test_outsider_cannot_record_peer_support(personas, peer_allocation):
    with pytest.raises(NotAllowed):
        services.contact_record(
            by=personas.outsider,
            allocation=peer_allocation,
            on=TODAY(),
            duration_minutes=10,
            method="phone",
            what_was_done="x",
        )


# Contacts and links


def test_contact_without_a_date_is_refused_and_nothing_is_stored(personas, peer_allocation):
    with pytest.raises(ValidationError) as e:
        services.contact_record(
            by=personas.peer_support_worker,
            allocation=peer_allocation,
            on=None,
            duration_minutes=30,
            method="face_to_face",
            what_was_done="Coffee and a chat",
        )
    assert "Enter the date of the contact" in str(e.value)
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("on", dt.date(2099, 1, 1), "today or in the past"),
        ("duration_minutes", 0, "Duration must be"),
        ("duration_minutes", 9999, "Duration must be"),
        ("method", "telepathy", "Select how"),
        ("what_was_done", "  ", "Enter what was done"),
        ("what_was_done", "<script>alert(1)</script>", "look like code"),
    ],
)
def test_bad_contacts_are_refused(personas, peer_allocation, field, value, message):
    data = {"on": TODAY(), "duration_minutes": 45, "method": "face_to_face", "what_was_done": "Walked to the group"}
    data[field] = value
    with pytest.raises(ValidationError, match=message):
        services.contact_record(by=personas.peer_support_worker, allocation=peer_allocation, **data)
    assert not Contact.objects.exists()


def test_contact_connects_the_person_to_an_offer(personas, person, peer_allocation, offers):
    contact = services.contact_record(
        by=personas.peer_support_worker,
        allocation=peer_allocation,
        on=TODAY(),
        duration_minutes=60,
        method="accompanied",
        what_was_done="Went to the walking group together",
    )
    services.offer_link(
        by=personas.peer_support_worker, allocation=peer_allocation, offer=offers["test-walking-group"], contact=contact
    )
    link = OfferLink.objects.get()
    assert link.contact == contact and link.person == person
    kinds = set(
        TimelineEntry.objects.filter(person=person, service=Service.PEER_SUPPORT).values_list("kind", flat=True)
    )
    assert {"peer_referral", "peer_allocated", "peer_contact", "peer_offer_link"} <= kinds


# Outcomes


def all_scores(value):
    return {o.code: value for o in reference.outcomes()}


def test_outcomes_from_start_to_end_show_change(personas, person, peer_allocation):
    worker = personas.peer_support_worker
    start = all_scores(2)
    services.outcomes_rate(
        by=worker, allocation=peer_allocation, stage="start", rated_on=TODAY() - dt.timedelta(days=60), scores=start
    )
    services.outcomes_rate(
        by=worker,
        allocation=peer_allocation,
        stage="review",
        rated_on=TODAY() - dt.timedelta(days=30),
        scores={"connected": 3},
    )
    services.outcomes_rate(
        by=worker, allocation=peer_allocation, stage="end", rated_on=TODAY(), scores={"connected": 5, "economic": 1}
    )
    changes = {c.code: c for c in queries.outcome_changes_for(person=person)}
    assert len(changes) == 13
    assert changes["connected"].change == 3
    assert changes["economic"].change == -1
    assert changes["wellbeing"].change is None  # rated once only
    report = {r["outcome"]: r for r in queries.outcome_changes()}
    assert report["connected"] == {
        "outcome": "connected",
        "label": changes["connected"].label,
        "people": 1,
        "improved": 1,
        "same": 0,
        "worse": 0,
        "mean_change": 3.0,
    }


@pytest.mark.parametrize("score", [0, 6, -1, "7", "lots", 2.5, True])
def test_a_rating_outside_the_scale_is_refused_and_nothing_is_stored(personas, peer_allocation, score):
    scores = all_scores(3) | {"wellbeing": score}
    with pytest.raises(ValidationError, match="choose a rating from 1 to 5"):
        services.outcomes_rate(
            by=personas.peer_support_worker, allocation=peer_allocation, stage="start", rated_on=TODAY(), scores=scores
        )
    assert not OutcomeRating.objects.exists()


def test_outcome_stages_in_order(personas, peer_allocation):
    worker = personas.peer_support_worker
    with pytest.raises(ValidationError, match="start ratings first"):
        services.outcomes_rate(
            by=worker, allocation=peer_allocation, stage="review", rated_on=TODAY(), scores={"connected": 3}
        )
    with pytest.raises(ValidationError, match="Unknown outcome"):
        services.outcomes_rate(by=worker, allocation=peer_allocation, stage="start", rated_on=TODAY(), scores={"x": 3})
    with pytest.raises(ValidationError, match="at least one"):
        services.outcomes_rate(by=worker, allocation=peer_allocation, stage="start", rated_on=TODAY(), scores={})
    services.outcomes_rate(
        by=worker, allocation=peer_allocation, stage="start", rated_on=TODAY(), scores={"connected": 3}
    )
    with pytest.raises(ValidationError, match="already been recorded"):
        services.outcomes_rate(
            by=worker, allocation=peer_allocation, stage="start", rated_on=TODAY(), scores={"connected": 3}
        )


def test_the_thirteen_outcomes_and_the_scale_come_from_one_data_file():
    assert len(reference.outcomes()) == 13
    assert reference.scale_bounds() == (1, 5)
    assert list(reference.stages()) == ["start", "review", "end"]


# Workforce


def test_supervision_training_and_progression(personas, peer_workers):
    senior = personas.senior_peer_support_worker
    volunteer = peer_workers["volunteer"]
    services.supervision_record(
        by=senior,
        worker=volunteer,
        held_on=TODAY(),
        themes="Boundaries with a person met at a group",
        actions="Read the lone working policy",
    )
    services.training_complete(by=senior, worker=volunteer, module="induction", completed_on=TODAY())
    with pytest.raises(ValidationError, match="already recorded"):
        services.training_complete(by=senior, worker=volunteer, module="induction", completed_on=TODAY())
    with pytest.raises(ValidationError):
        services.training_complete(by=senior, worker=volunteer, module="juggling", completed_on=TODAY())
    with pytest.raises(ValidationError, match="themes"):
        services.supervision_record(by=senior, worker=volunteer, held_on=TODAY(), themes=" ")
    assert queries.volunteers_progressed() == 0
    services.progression_record(by=senior, worker=volunteer, to_kind=WorkerKind.PAID, on=TODAY(), note="Appointed")
    volunteer.refresh_from_db()
    assert volunteer.kind == WorkerKind.PAID
    user = type(personas.volunteer).objects.get(pk=personas.volunteer.pk)
    assert user.roles == {Role.PEER_SUPPORT_WORKER}
    assert queries.volunteers_progressed() == 1
    assert queries.volunteers_progressed(start=TODAY() + dt.timedelta(days=1)) == 0
    with pytest.raises(ValidationError, match="already"):
        services.progression_record(by=senior, worker=volunteer, to_kind=WorkerKind.PAID, on=TODAY())


def test_only_seniors_manage_the_workforce(personas, peer_workers):
    with pytest.raises(NotAllowed):
        services.supervision_record(
            by=personas.peer_support_worker, worker=peer_workers["volunteer"], held_on=TODAY(), themes="x"
        )


def test_a_caseload_limit_below_the_people_held_is_refused(personas, practice, peer_allocation):
    senior, worker = personas.senior_peer_support_worker, peer_allocation.worker
    other = refer(personas, fresh_person(personas, practice))
    services.allocation_create(by=senior, referral=other, worker=worker)
    with pytest.raises(ValidationError, match="They hold 2 people now"):
        services.peer_worker_update(by=senior, worker=worker, caseload_limit=1)
    worker.refresh_from_db()
    assert worker.caseload_limit == 8


def test_worker_profile_rules(personas, practice):
    with pytest.raises(ValidationError, match="Only peer support staff"):
        services.peer_worker_register(
            by=personas.senior_peer_support_worker,
            user=personas.mhp,
            organisation=personas.mhp.primary_organisation,
            kind="paid",
            localities=[practice.locality],
            caseload_limit=5,
        )
    with pytest.raises(ValidationError, match="Caseload limit"):
        services.peer_worker_register(
            by=personas.senior_peer_support_worker,
            user=personas.volunteer,
            organisation=personas.volunteer.primary_organisation,
            kind="volunteer",
            localities=[practice.locality],
            caseload_limit=0,
        )


# Directory


def test_loading_offers_twice_changes_nothing(offers):
    from joinedup.peersupport.tests.fixtures import SAMPLE_OFFERS

    assert services.offers_load(SAMPLE_OFFERS) == {"created": 0, "updated": 0, "deactivated": 0}
    changed = [dict(SAMPLE_OFFERS[0], name="Promenade walking group")]
    assert services.offers_load(changed)["updated"] == 1


def test_directory_search_by_locality_category_and_words(offers, practice):
    found, total = queries.directory_search(locality=practice.locality)
    assert total == 2
    found, total = queries.directory_search(category="debt_advice")
    assert [o.code for o in found] == ["test-debt-advice"]
    found, total = queries.directory_search(text="PROMENADE tea")
    assert [o.code for o in found] == ["test-walking-group"]
    assert queries.directory_search(text="nothing like this")[1] == 0


def test_bad_directory_rows_are_all_refused(region):
    from joinedup.peersupport.models import Offer

    with pytest.raises(ValidationError) as e:
        services.offers_load(
            [
                {
                    "code": "a",
                    "name": "A",
                    "provider": "P",
                    "category": "juggling",
                    "locality": "blackpool",
                    "description": "d",
                    "how_to_join": "h",
                },
                {
                    "code": "b",
                    "name": "B",
                    "provider": "P",
                    "category": "learning",
                    "locality": "atlantis",
                    "description": "d",
                    "how_to_join": "h",
                },
            ]
        )
    assert len(e.value.messages) == 2
    assert not Offer.objects.exists()
