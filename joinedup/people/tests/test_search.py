import datetime as dt

import pytest

from joinedup.people.matching import normalise_name, trigram_similarity
from joinedup.people.queries import search_people

pytestmark = pytest.mark.django_db

BORN = dt.date(1984, 3, 15)


@pytest.mark.parametrize(
    "typed", ["Zoë Ashworth", "zoe ashworth", "ZOE ASHWORTH", "Zoe Ashwoth", "Ashworth Zoe", "zoë  ashworth "]
)
def test_name_search_forgives_case_accents_order_and_small_typos(personas, person, typed):
    matches = search_people(by=personas.community_clinician, name=typed, date_of_birth=BORN)
    assert [m.person for m in matches] == [person]


def test_wrong_date_of_birth_finds_no_one(personas, person):
    assert search_people(by=personas.community_clinician, name="Zoe Ashworth", date_of_birth=dt.date(1984, 3, 16)) == []


def test_a_different_name_on_the_same_birthday_is_not_a_match(personas, person):
    assert search_people(by=personas.community_clinician, name="Mohammed Khan", date_of_birth=BORN) == []


def test_nhs_number_search_accepts_spaces(personas, person):
    assert search_people(by=personas.mhp, nhs_number="999 000 0018")[0].person == person


def test_search_never_finds_people_the_user_does_not_work_with(personas, person):
    assert search_people(by=personas.outsider, nhs_number="9990000018") == []
    assert search_people(by=personas.outsider, name="Zoe Ashworth", date_of_birth=BORN) == []


def test_search_page_needs_a_name_with_the_date_of_birth(client, personas):
    client.force_login(personas.mhp)
    page = client.get(
        "/people/", {"date_of_birth[day]": "15", "date_of_birth[month]": "3", "date_of_birth[year]": "1984"}
    ).content.decode()
    assert "Enter a name as well as the date of birth" in page


def test_search_page_finds_and_audits(client, personas, person):
    from joinedup.core.models import AuditEvent

    client.force_login(personas.mhp)
    page = client.get(
        "/people/",
        {
            "name": "zoe ashwort",
            "date_of_birth[day]": "15",
            "date_of_birth[month]": "3",
            "date_of_birth[year]": "1984",
            "postcode": "FY1 3AB",
        },
    ).content.decode()
    assert "1 person found" in page
    assert "(matches)" in page
    assert AuditEvent.objects.filter(user=personas.mhp, action="search").exists()


def test_normalise_name():
    assert normalise_name("  Zoë  O'Brien-Smith ") == "zoe obrien smith"


def test_trigram_similarity_matches_postgres_behaviour_on_simple_cases():
    assert trigram_similarity("word", "word") == 1.0
    assert trigram_similarity("", "word") == 0.0
    assert 0.3 < trigram_similarity("zoe ashworth", "zoe ashwoth") < 1.0
