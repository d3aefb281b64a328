import datetime as dt
import re
from types import SimpleNamespace

import nhs_number
import pytest

from joinedup.core.dates import age_on
from joinedup.core.valuesets import value_set_lookup
from joinedup.demo.synthetic import (
    INWARD_LETTERS,
    NHS_NUMBER_CAPACITY,
    REFERENCE_DATE,
    generate_people,
)
from joinedup.people.matching import normalise_name
from joinedup.people.models import Person

PRACTICES = [
    SimpleNamespace(pk=1, ods_code="P81016", postcode="FY4 3AD", town="Blackpool"),
    SimpleNamespace(pk=2, ods_code="A82003", postcode="LA12 7BT", town="Ulverston"),
    SimpleNamespace(pk=3, ods_code="P81740", postcode="BB1 1AA", town="Blackburn"),
]
OUTWARD = {1: "FY4", 2: "LA12", 3: "BB1"}


def people(count, seed=2026, start=0):
    return list(generate_people(count=count, seed=seed, practices=PRACTICES, start=start))


@pytest.fixture(scope="module")
def many():
    return people(20_000)


def test_nhs_numbers_are_valid_unique_and_only_from_the_test_range(many):
    numbers = [p["nhs_number"] for p in many]
    assert all(n is not None and len(n) == 10 and n.isdigit() and n.startswith("999") for n in numbers)
    assert all(nhs_number.is_valid(n, for_region=nhs_number.REGION_SYNTHETIC) for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_the_same_seed_gives_the_same_people_and_another_seed_other_people():
    first, again, other = people(300), people(300), people(300, seed=2027)
    assert first == again
    assert [p["nhs_number"] for p in first] != [p["nhs_number"] for p in other]
    assert [p["search_name"] for p in first] != [p["search_name"] for p in other]


def test_a_person_is_the_same_whichever_index_generation_starts_from():
    assert people(40)[25:] == people(15, start=25)


def test_people_beyond_the_test_range_have_no_nhs_number():
    # The last two numbers of the range, then three people it has no numbers left for.
    beyond = people(5, start=NHS_NUMBER_CAPACITY - 2)
    numbers = [p["nhs_number"] for p in beyond]
    assert all(nhs_number.is_valid(n) and n.startswith("999") for n in numbers[:2])
    assert numbers[2:] == [None, None, None]
    assert all(p["given_name"] and p["practice_id"] for p in beyond)


def test_generated_people_pass_the_record_validation(many):
    for fields in many[:500]:
        fields = dict(fields)
        fields.pop("communication_needs")
        Person(**fields).full_clean(exclude=["practice"], validate_unique=False, validate_constraints=False)


def test_search_name_is_the_normalised_full_name(many):
    assert all(p["search_name"] == normalise_name(f"{p['given_name']} {p['family_name']}") for p in many)


def test_some_names_carry_accents_for_search_testing(many):
    accented = {p["given_name"] for p in many if p["given_name"] != normalise_name(p["given_name"]).title()}
    assert {"Zoë", "Siân", "Chloé"} <= accented


def test_postcodes_share_the_outward_code_of_the_practice(many):
    inward = re.compile(rf"[0-9][{INWARD_LETTERS}]{{2}}")
    for p in many:
        outward, rest = p["postcode"].split(" ")
        assert outward == OUTWARD[p["practice_id"]]
        assert inward.fullmatch(rest)


def test_contact_details_are_never_real(many):
    for p in many:
        assert p["phone"] == "" or re.fullmatch(r"07700 900\d{3}", p["phone"])
        assert p["email"] == "" or p["email"].endswith("@example.com")


def test_adults_weighted_to_working_age(many):
    ages = [age_on(p["date_of_birth"], REFERENCE_DATE) for p in many]
    assert min(ages) >= 18 and max(ages) < 92
    working_age = sum(25 <= a < 65 for a in ages) / len(ages)
    assert 0.65 < working_age < 0.85


def test_codes_come_from_the_value_sets(many):
    ethnicities = value_set_lookup("ethnicity")
    needs = value_set_lookup("communication_needs")
    assert {p["ethnicity"] for p in many} <= set(ethnicities)
    assert {code for p in many for code in p["communication_needs"]} <= set(needs)
    assert {p["sex"] for p in many} == {"1", "2", "9"}
    share_a = sum(p["ethnicity"] == "A" for p in many) / len(many)
    assert 0.75 < share_a < 0.86


def test_most_consent_to_nhs_sharing_and_a_few_have_communication_needs(many):
    assert sum(p["consent_nhs"] for p in many) / len(many) > 0.85
    with_needs = [p for p in many if p["communication_needs"]]
    assert 0.02 < len(with_needs) / len(many) < 0.15
    assert any(p["communication_needs"].get("interpreter") for p in with_needs)


def test_registration_dates_do_not_depend_on_today(many):
    assert all(p["created_at"] < dt.datetime(2026, 1, 2, tzinfo=dt.UTC) for p in many)
