import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.core.access import may, visible_people
from joinedup.core.models import AuditEvent
from joinedup.core.tests.test_url_walk import all_patterns, declaration, fill
from joinedup.peersupport import services
from joinedup.peersupport.models import Allocation, Contact, OfferLink, OutcomeRating, PeerReferral

pytestmark = pytest.mark.django_db


def peer_pages():
    return [(name, route, view) for name, route, view in all_patterns() if name.startswith("peersupport:")]


@pytest.fixture
def peer_url_args(
    person, url_arg_peer_allocation_id, url_arg_peer_referral_id, url_arg_offer_id, url_arg_peer_worker_id
):
    return {
        "person_id": person.pk,
        "peer_allocation_id": url_arg_peer_allocation_id,
        "peer_referral_id": url_arg_peer_referral_id,
        "offer_id": url_arg_offer_id,
        "peer_worker_id": url_arg_peer_worker_id,
    }


def test_every_peer_support_page_answers_every_role_as_the_policy_says(client, personas, person, peer_url_args):
    """The same expectations as the whole-site URL walk, for this app's pages alone."""
    for label, user in {"anonymous": None, **personas.all()}.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, route, view in peer_pages():
            kind, perm = declaration(view)
            assert kind in ("person", "perm"), name
            response = client.get(fill(route, peer_url_args))
            if user is None:
                expected = 302
            elif kind == "perm":
                expected = 200 if may(user, perm) else 403
            elif not visible_people(user).filter(pk=person.pk).exists():
                expected = 404
            else:
                expected = 200 if may(user, perm, person) else 403
            assert response.status_code == expected, f"{label} {name}: {response.status_code}, expected {expected}"


def test_every_page_about_a_person_writes_an_audit_event(client, personas, person, peer_url_args):
    users = [personas.senior_peer_support_worker, personas.community_clinician]
    for name, route, view in peer_pages():
        kind, perm = declaration(view)
        if kind == "perm" and not any(k in route for k in ("peer_allocation_id", "peer_referral_id")):
            continue  # directory and workforce pages hold no person data
        user = next(u for u in users if may(u, perm, person))
        client.force_login(user)
        before = AuditEvent.objects.filter(person=person, user=user).count()
        assert client.get(fill(route, peer_url_args)).status_code == 200, name
        assert AuditEvent.objects.filter(person=person, user=user).count() > before, name


def test_a_worker_cannot_open_an_allocation_of_someone_they_do_not_work_with(client, personas, practice, peer_workers):
    from joinedup.peersupport.tests.test_services import fresh_person, refer

    someone = fresh_person(personas, practice)
    allocation = services.allocation_create(
        by=personas.senior_peer_support_worker, referral=refer(personas, someone), worker=peer_workers["volunteer"]
    )
    client.force_login(personas.peer_support_worker)
    assert client.get(reverse("peersupport:contact", args=[allocation.pk])).status_code == 404
    assert client.get(reverse("peersupport:person", args=[someone.pk])).status_code == 404
    client.force_login(personas.volunteer)
    assert client.get(reverse("peersupport:contact", args=[allocation.pk])).status_code == 200


def test_refer_then_allocate_through_the_pages(client, personas, person, peer_workers):
    client.force_login(personas.mhp)
    url = reverse("peersupport:refer", args=[person.pk])
    response = client.post(url, {"source": "mhp", "reason": ""})
    assert "Enter what the person would like from peer support" in response.content.decode()
    assert not PeerReferral.objects.exists()
    response = client.post(url, {"source": "mhp", "reason": "Would like to meet people"})
    assert response.status_code == 302
    referral = PeerReferral.objects.get()

    client.force_login(personas.senior_peer_support_worker)
    page = client.get(reverse("peersupport:waiting")).content.decode()
    assert "Would like to meet people" in page
    url = reverse("peersupport:allocate", args=[referral.pk])
    assert "covers the locality" in client.get(url).content.decode()
    response = client.post(url, {"worker": peer_workers["volunteer"].pk})
    assert response.status_code == 302
    assert Allocation.objects.get().worker == peer_workers["volunteer"]


def test_allocating_outside_the_locality_without_a_reason_shows_the_problem(
    client, personas, peer_workers, peer_referral, far_practice
):
    services.peer_worker_update(
        by=personas.senior_peer_support_worker, worker=peer_workers["worker"], localities=[far_practice.locality]
    )
    client.force_login(personas.senior_peer_support_worker)
    response = client.post(
        reverse("peersupport:allocate", args=[peer_referral.pk]), {"worker": peer_workers["worker"].pk}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "give a reason to allocate outside their locality" in page
    assert not Allocation.objects.exists()


def test_allocating_to_a_full_caseload_shows_the_problem(client, personas, peer_workers, peer_referral):
    worker = services.peer_worker_update(
        by=personas.senior_peer_support_worker, worker=peer_workers["worker"], caseload_limit=1
    )
    from joinedup.peersupport.tests.test_services import fresh_person, refer

    other = fresh_person(personas, peer_referral.person.practice)
    services.allocation_create(by=personas.senior_peer_support_worker, referral=refer(personas, other), worker=worker)
    client.force_login(personas.senior_peer_support_worker)
    response = client.post(reverse("peersupport:allocate", args=[peer_referral.pk]), {"worker": worker.pk})
    assert "caseload is full (1 of 1)" in response.content.decode()
    assert Allocation.objects.count() == 1


def test_a_contact_without_a_date_is_refused_on_the_page(client, personas, peer_allocation):
    client.force_login(personas.peer_support_worker)
    url = reverse("peersupport:contact", args=[peer_allocation.pk])
    response = client.post(
        url,
        {
            "on-day": "",
            "on-month": "",
            "on-year": "",
            "duration_minutes": "30",
            "method": "phone",
            "what_was_done": "Call",
        },
    )
    page = response.content.decode()
    assert "There is a problem" in page and "Enter the date of the contact" in page
    assert not Contact.objects.exists()


def test_record_a_contact_then_connect_to_an_offer(client, personas, person, peer_allocation, offers):
    client.force_login(personas.peer_support_worker)
    today = timezone.localdate()
    response = client.post(
        reverse("peersupport:contact", args=[peer_allocation.pk]),
        {
            "on-day": today.day,
            "on-month": today.month,
            "on-year": today.year,
            "duration_minutes": "60",
            "method": "accompanied",
            "what_was_done": "Went to the walking group together",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert f"contact={contact.pk}" in response["Location"] and "locality=blackpool" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Seafront walking group" in page and "Community allotment" not in page  # Furness, not Blackpool
    response = client.post(
        reverse("peersupport:connect", args=[peer_allocation.pk]),
        {"offer": offers["test-walking-group"].pk, "contact": contact.pk},
    )
    assert response.status_code == 302
    link = OfferLink.objects.get()
    assert link.contact == contact
    page = client.get(reverse("peersupport:person", args=[person.pk])).content.decode()
    assert "Connected to: Seafront walking group" in page


def test_rate_outcomes_on_the_page_and_refuse_a_rating_off_the_scale(client, personas, person, peer_allocation):
    client.force_login(personas.volunteer)
    url = reverse("peersupport:outcomes", args=[peer_allocation.pk])
    today = timezone.localdate()
    base = {"stage": "start", "rated_on-day": today.day, "rated_on-month": today.month, "rated_on-year": today.year}
    response = client.post(url, base | {"outcome_connected": "2", "outcome_wellbeing": "9"})
    page = response.content.decode()
    assert "There is a problem" in page and "Physical and emotional wellbeing: choose a rating on the scale" in page
    assert not OutcomeRating.objects.exists()
    response = client.post(url, base | {"outcome_connected": "2", "outcome_wellbeing": "3"})
    assert response.status_code == 302
    later = today
    client.post(
        url,
        {"stage": "review", "rated_on-day": later.day, "rated_on-month": later.month, "rated_on-year": later.year}
        | {"outcome_connected": "4"},
    )
    page = client.get(reverse("peersupport:person", args=[person.pk])).content.decode()
    assert "Up 2" in page


def test_directory_search_query_count_does_not_grow_with_results(
    client, personas, django_assert_max_num_queries, region
):
    rows = [
        {
            "code": f"offer-{n}",
            "name": f"Offer {n}",
            "provider": "Provider (synthetic)",
            "category": "learning",
            "locality": "blackpool",
            "description": "A course",
            "how_to_join": "Phone",
        }
        for n in range(60)
    ]
    services.offers_load(rows)
    client.force_login(personas.peer_support_worker)
    url = reverse("peersupport:directory") + "?locality=blackpool&category=learning&q=course"
    with django_assert_max_num_queries(12):
        response = client.get(url)
    page = response.content.decode()
    assert "60 offers found" in page and "Page 2 of 3" in page


def test_caseload_page_query_count_is_pinned(client, personas, practice, peer_workers, django_assert_max_num_queries):
    from joinedup.peersupport.tests.test_services import fresh_person, refer

    worker = services.peer_worker_update(
        by=personas.senior_peer_support_worker, worker=peer_workers["worker"], caseload_limit=10
    )
    for n in ("9990000034", "9990000042", "9990000050", "9990000069"):
        someone = fresh_person(personas, practice, nhs_number=n)
        services.allocation_create(
            by=personas.senior_peer_support_worker, referral=refer(personas, someone), worker=worker
        )
    client.force_login(personas.senior_peer_support_worker)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("peersupport:caseload")).content.decode()
    assert page.count("Aled Brennan") == 4
    client.force_login(personas.peer_support_worker)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("peersupport:caseload")).content.decode()
    assert page.count("Aled Brennan") == 4


def test_workforce_pages_record_supervision_training_and_a_volunteer_becoming_paid(client, personas, peer_workers):
    volunteer = peer_workers["volunteer"]
    client.force_login(personas.senior_peer_support_worker)
    url = reverse("peersupport:worker", args=[volunteer.pk])
    today = timezone.localdate()
    date = {"day": today.day, "month": today.month, "year": today.year}
    response = client.post(
        url,
        {"action": "supervision", "supervision-themes": "", **{f"supervision-held_on-{k}": v for k, v in date.items()}},
    )
    assert "Enter the themes discussed" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "supervision",
            "supervision-themes": "Boundaries",
            **{f"supervision-held_on-{k}": v for k, v in date.items()},
        },
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "action": "training",
            "training-module": "induction",
            **{f"training-completed_on-{k}": v for k, v in date.items()},
        },
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {"action": "progression", "progression-to_kind": "paid", **{f"progression-on-{k}": v for k, v in date.items()}},
    )
    assert response.status_code == 302
    page = client.get(reverse("peersupport:workforce")).content.decode()
    assert "Volunteers who have moved into a paid role: <strong>1</strong>" in page
    page = client.get(url).content.decode()
    assert "Boundaries" in page and "Lived-experience volunteer to Peer support worker" in page


def test_markup_in_a_contact_is_refused(client, personas, peer_allocation):
    client.force_login(personas.peer_support_worker)
    today = timezone.localdate() - dt.timedelta(days=0)
    response = client.post(
        reverse("peersupport:contact", args=[peer_allocation.pk]),
        {
            "on-day": today.day,
            "on-month": today.month,
            "on-year": today.year,
            "duration_minutes": "30",
            "method": "phone",
            "what_was_done": "<script>alert(1)</script>",
        },
    )
    assert response.status_code == 200
    assert not Contact.objects.exists()
