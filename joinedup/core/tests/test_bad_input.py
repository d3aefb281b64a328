"""Bad input to the pages named in the new-user and attacker testing: a clear message or a 4xx, never a 500.

Run on SQLite and on PostgreSQL (a NUL character only breaks PostgreSQL, which cannot hold one in text). Signed in
through the real sign-in page, CSRF token and all, as the people who use these pages.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.core.tests.signing_in import SignedIn

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# What people (and attackers) type where a number is expected: numbers of any size, signs, other scripts' digits,
# superscripts, empty, huge, and any text at all.
numberish = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["", " ", "0", "-1", "1.5", "1e9", "²", "٣", "1" * 5000, "9223372036854775808", "0x10"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20),
)
nul_text = st.builds(lambda a, b: a + "\x00" + b, st.text(max_size=10), st.text(max_size=10))


@pytest.fixture
def draft(person, personas):
    from joinedup.care.services import plan_draft_start

    return plan_draft_start(by=personas.community_clinician, person=person)


@pytest.fixture
def clinician(personas):
    return SignedIn(personas.community_clinician)


@pytest.fixture
def coordinator(personas):
    return SignedIn(personas.emdt_coordinator)


@pytest.fixture
def outreach(personas, on_register):
    return SignedIn(personas.outreach_worker)


@pytest.fixture
def practice_staff(personas):
    return SignedIn(personas.gp_practice_staff)


def not_a_crash(response):
    assert response.status_code in (200, 302, 400, 404), response.status_code


@FUZZ
@given(page=numberish)
def test_any_page_number_on_the_timeline_is_a_page_or_not_found(clinician, person, page):
    not_a_crash(clinician.get(reverse("people:timeline", args=[person.pk]), {"page": page}))


def test_a_page_number_beyond_any_list_is_not_found(clinician, person, personas):
    url = reverse("people:timeline", args=[person.pk])
    assert clinician.get(url, {"page": "9" * 30}).status_code == 404
    assert clinician.get(url, {"page": "2"}).status_code == 200
    assert clinician.get(url, {"page": "²"}).status_code == 200  # not a number: the first page


@FUZZ
@given(page=numberish)
def test_any_page_number_on_the_triage_queue_is_a_page_or_not_found(coordinator, page):
    not_a_crash(coordinator.get(reverse("referrals:queue"), {"page": page}))


@FUZZ
@given(page=numberish, mine=st.sampled_from(["", "1", "\u00e9"]), practice=numberish)
def test_any_page_number_on_the_worklist_is_a_page_or_not_found(outreach, page, mine, practice):
    not_a_crash(outreach.get(reverse("healthchecks:worklist"), {"page": page, "mine": mine, "practice": practice}))


@FUZZ
@given(practice=numberish)
def test_any_practice_on_register_updates_is_refused_clearly(practice_staff, practice):
    not_a_crash(practice_staff.post(reverse("healthchecks:updates"), {"practice": practice}))


def test_practice_that_is_not_a_number_on_register_updates_is_not_found(practice_staff):
    assert practice_staff.post(reverse("healthchecks:updates"), {"practice": "abc"}).status_code == 404


@FUZZ
@given(remove=numberish)
def test_removing_any_goal_or_action_from_a_draft_is_a_message_not_a_crash(clinician, person, draft, remove):
    for name in ("care:draft_goals", "care:draft_actions"):
        response = clinician.post(reverse(name, args=[person.pk]), {"remove": remove})
        assert response.status_code == 302, (name, remove, response.status_code)


@pytest.mark.parametrize("name", ["care:draft_goals", "care:draft_actions"])
@pytest.mark.parametrize("remove", ["", "abc", "99999999999999999999999"])
def test_removing_nothing_says_so(clinician, person, draft, name, remove):
    response = clinician.post(reverse(name, args=[person.pk]), {"remove": remove}, follow=True)
    assert response.status_code == 200
    assert "is not in this draft" in response.content.decode()


def test_removing_a_goal_that_is_in_the_draft_removes_it(clinician, person, personas, draft):
    from joinedup.care.services import plan_goal_add

    goal = plan_goal_add(by=personas.community_clinician, draft=draft, words="Get back to swimming")
    response = clinician.post(reverse("care:draft_goals", args=[person.pk]), {"remove": str(goal.pk)}, follow=True)
    assert response.status_code == 200 and "Goal removed" in response.content.decode()
    assert not draft.goals.exists()


# A NUL character anywhere in a query string or form field -----------------------------------------------------


def pages_to_try(person):
    return [
        reverse("people:search"),
        reverse("people:timeline", args=[person.pk]),
        reverse("people:record", args=[person.pk]),
        reverse("referrals:queue"),
        reverse("healthchecks:worklist"),
        reverse("healthchecks:updates"),
        reverse("care:draft_goals", args=[person.pk]),
        reverse("care:draft_actions", args=[person.pk]),
        reverse("my_tasks"),
    ]


@FUZZ
@given(key=st.sampled_from(["page", "name", "nhs_number", "practice", "remove", "words", "q"]), value=nul_text)
def test_a_nul_character_in_a_query_string_is_refused(clinician, person, key, value):
    for url in pages_to_try(person):
        response = clinician.get(url, {key: value})
        assert response.status_code == 400, url
        assert "NUL character" in response.content.decode()


@FUZZ
@given(key=st.sampled_from(["remove", "words", "description", "practice", "note"]), value=nul_text)
def test_a_nul_character_in_a_form_field_is_refused_and_nothing_stored(clinician, person, draft, key, value):
    for url in pages_to_try(person):
        response = clinician.post(url, {key: value, "words": "Get back to swimming" if key != "words" else value})
        assert response.status_code == 400, url
    assert not draft.goals.exists()


def test_a_nul_character_in_a_search_is_refused_by_name(clinician):
    response = clinician.get(reverse("people:search"), {"name": "Zo\x00e", "date_of_birth-day": "15"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@FUZZ
@given(person_id=st.integers(min_value=2**31, max_value=10**30))
def test_a_person_id_too_large_for_the_database_is_not_found(clinician, person_id):
    assert clinician.get(f"/people/{person_id}/").status_code == 404


# Digits that str.isdigit() accepts but int() does not ("¹", "٣"): a clear answer, never a 500 ----------------------


@pytest.mark.parametrize("odd", ["¹", "٣", "1²"])
def test_digits_int_cannot_read_are_not_a_crash(clinician, person, draft, odd):
    pages = [
        (reverse("care:plan_print", args=[person.pk]), {"version": odd}),
        (reverse("care:draft_actions", args=[person.pk]), {"suggest": odd}),
        (reverse("people:search"), {"nhs_number": "999000001" + odd}),
        (
            reverse("people:search"),
            {
                "name": "Ashworth",
                "date_of_birth-day": odd,
                "date_of_birth-month": odd,
                "date_of_birth-year": "198" + odd,
            },
        ),
    ]
    for url, query in pages:
        assert clinician.get(url, query).status_code in (200, 302, 404), (url, query)
    response = clinician.post(reverse("people:edit", args=[person.pk]), {"version": odd, "given_name": "Zoë"})
    assert response.status_code in (200, 302), odd
