"""Creating and changing a record through the pages, including everything people get wrong."""

import datetime as dt
import re

import pytest

from joinedup.core.models import AuditEvent, TimelineEntry
from joinedup.people.models import Person

pytestmark = pytest.mark.django_db


def register_data(at_practice, **overrides):
    data = {
        "nhs_number": "999 000 0026",
        "given_name": "Siân",
        "family_name": "Hargreaves",
        "date_of_birth[day]": "4",
        "date_of_birth[month]": "11",
        "date_of_birth[year]": "1979",
        "sex": "2",
        "ethnicity": "A",
        "practice": str(at_practice.pk),
        "postcode": "fy1 4ab",
        "consents": ["nhs", "vcfse"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(person, practice, **overrides):
    """The edit form as it is filled in for Zoë (the shared `person`), with these changes."""
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "practice": str(practice.pk),
        "nhs_number": person.nhs_number,
        "date_of_birth[day]": "15",
        "date_of_birth[month]": "3",
        "date_of_birth[year]": "1984",
        "version": str(person.version),
    } | overrides


@pytest.fixture
def gp_client(client, personas):
    client.force_login(personas.gp_practice_staff)
    return client


def test_register_a_person_shows_the_record(gp_client, practice):
    response = gp_client.post("/people/new/", register_data(practice))
    assert response.status_code == 302
    person = Person.objects.get(nhs_number="9990000026")
    assert person.postcode == "FY1 4AB"
    assert person.search_name == "sian hargreaves"
    assert person.consent_nhs and person.consent_vcfse and not person.consent_local_authority
    assert TimelineEntry.objects.filter(person=person, kind="record_created").exists()
    assert AuditEvent.objects.filter(person=person, action="create").exists()
    page = gp_client.get(response["Location"]).content.decode()
    assert "999 000 0026" in page
    assert "4 November 1979" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nhs_number": "999 000 0027"}, "NHS number is not valid"),
        ({"nhs_number": "12345"}, "NHS number must be 10 digits"),
        ({"nhs_number": "99900000AB"}, "NHS number must be 10 digits"),
        ({"date_of_birth[year]": "2999"}, "Date of birth must be today or in the past"),
        ({"date_of_birth[day]": "31", "date_of_birth[month]": "2"}, "Date of birth must be a real date"),
        ({"date_of_birth[month]": ""}, "Date of birth must include a month"),
        ({"given_name": "x" * 101}, "First name must be 100 characters or fewer"),
        ({"given_name": "<script>alert(1)</script>"}, "they look like code"),
        ({"family_name": ""}, "last name"),
        ({"practice": "999999"}, "Select a practice from the list"),
        ({"postcode": "NOT A CODE"}, "Enter a real postcode"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(gp_client, practice, overrides, message):
    before = Person.objects.count()
    response = gp_client.post("/people/new/", register_data(practice, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert Person.objects.count() == before


def test_duplicate_nhs_number_is_refused(gp_client, practice, person):
    before = Person.objects.count()
    response = gp_client.post("/people/new/", register_data(practice, nhs_number=person.nhs_number))
    assert "Zoë Ashworth already has a record with this NHS number" in response.content.decode()
    assert Person.objects.count() == before


def test_markup_in_my_story_is_refused(client, personas, person):
    client.force_login(personas.community_clinician)
    response = client.post(
        f"/people/{person.pk}/story/", {"my_story": "<img src=x onerror=alert(1)>", "version": person.version}
    )
    assert "they look like code" in response.content.decode()
    person.refresh_from_db()
    assert person.my_story == ""


def test_two_people_editing_the_same_record_the_later_save_is_refused(client, personas, person, practice):
    form = edit_data(person, practice)
    client.force_login(personas.community_clinician)
    first = client.post(f"/people/{person.pk}/edit/", form | {"phone": "07700 900123"})
    assert first.status_code == 302
    client.force_login(personas.mhp)
    second = client.post(f"/people/{person.pk}/edit/", form | {"phone": "07700 900999"})
    assert second.status_code == 200
    assert "Someone else changed this record" in second.content.decode()
    person.refresh_from_db()
    assert person.phone == "07700 900123"


def test_story_conflict_keeps_both_texts(client, personas, person):
    client.force_login(personas.community_clinician)
    version = person.version
    client.post(f"/people/{person.pk}/story/", {"my_story": "First words", "version": version})
    response = client.post(f"/people/{person.pk}/story/", {"my_story": "Second words", "version": version})
    page = response.content.decode()
    assert "Someone else changed this story" in page
    assert "First words" in page and "Second words" in page
    person.refresh_from_db()
    assert person.my_story == "First words"


def test_communication_needs_are_flagged_wherever_the_person_is_shown(client, personas, person):
    client.force_login(personas.community_clinician)
    response = client.post(
        f"/people/{person.pk}/communication-needs/",
        {"needs": ["interpreter", "large_print"], "detail": "Polish"},
    )
    assert response.status_code == 302
    for url in (f"/people/{person.pk}/", f"/people/{person.pk}/timeline/", f"/care/{person.pk}/team/"):
        page = client.get(url).content.decode()
        assert "Interpreter needed: Polish" in page, url
        assert "Large print" in page, url
    search = client.get("/people/", {"nhs_number": person.nhs_number}).content.decode()
    assert "Interpreter needed: Polish" in search


def test_interpreter_needs_a_language(client, personas, person):
    client.force_login(personas.community_clinician)
    response = client.post(f"/people/{person.pk}/communication-needs/", {"needs": ["interpreter"], "detail": ""})
    assert "Enter the language" in response.content.decode()
    assert not person.communication_needs.exists()


def test_withdrawing_consent_through_the_page_takes_effect_at_once(client, personas, person):
    vcfse = personas.partner_professional
    client.force_login(vcfse)
    assert client.get(f"/people/{person.pk}/").status_code == 200
    client.force_login(personas.community_clinician)
    response = client.post(f"/people/{person.pk}/consent/", {"kind": "vcfse", "given": "no", "note": "Asked today"})
    assert response.status_code == 302
    client.force_login(vcfse)
    assert client.get(f"/people/{person.pk}/").status_code == 404


def test_timeline_is_newest_first_and_filters_by_service(client, personas, person):
    from joinedup.core.timeline import Service, timeline_add

    timeline_add(
        person=person,
        service=Service.HEALTH_CHECKS,
        kind="test",
        summary="Old check",
        at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    client.force_login(personas.community_clinician)
    page = client.get(f"/people/{person.pk}/timeline/").content.decode()
    assert page.index("Record created") < page.index("Old check")
    filtered = client.get(f"/people/{person.pk}/timeline/", {"service": "health_checks"}).content.decode()
    assert "Old check" in filtered and "Record created" not in filtered


def test_record_shows_practice_pcn_emdt_and_outreach_provider(client, personas, person, practice):
    client.force_login(personas.community_clinician)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert practice.name in page
    assert practice.pcn.name in page
    assert "Blackpool" in page
    assert "The Calico Group" in page
    assert "Key worker" in page


def test_record_shows_the_level_of_care_and_its_history(client, personas, person):
    from joinedup.care.models import LevelOfCare
    from joinedup.care.services import level_of_care_change

    level_of_care_change(by=personas.mhp, person=person, level=LevelOfCare.PRIMARY_CARE, reason="Seen in practice")
    level_of_care_change(by=personas.mhp, person=person, level=LevelOfCare.EMDT, reason="Several services needed")
    client.force_login(personas.community_clinician)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Now: <strong>Enhanced multi-disciplinary team</strong>" in page
    assert "Seen in practice" in page


def test_record_page_queries_do_not_grow_with_the_timeline(client, personas, person, django_assert_max_num_queries):
    from joinedup.core.timeline import Service, timeline_add

    client.force_login(personas.community_clinician)
    client.get(f"/people/{person.pk}/")  # warm caches
    for i in range(60):
        timeline_add(person=person, service=Service.RECORD, kind="note", summary=f"Entry {i}")
    with django_assert_max_num_queries(22):
        assert client.get(f"/people/{person.pk}/").status_code == 200


def signed_in_with_csrf(username):
    """A browser-like client: CSRF checked, signed in through the sign-in page."""
    from joinedup.accounts.tests.helpers import sign_in_with_csrf

    return sign_in_with_csrf(username)


def csrf_from(browser, path="/account/sign-in/"):
    page = browser.get(path).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_name_boxes_do_not_cut_a_long_name_short(client, personas, person):
    """A maxlength attribute makes the browser drop whatever is typed past it, silently."""
    client.force_login(personas.gp_practice_staff)
    for page in ("/people/new/", f"/people/{person.pk}/edit/"):
        html = client.get(page).content.decode()
        for name in ("given_name", "family_name", "preferred_name"):
            box = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
            assert "maxlength" not in box, f"{page} would cut a long {name} short: {box}"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("given_name", "First name must be 100 characters or fewer"),
        ("family_name", "Last name must be 100 characters or fewer"),
        ("preferred_name", "Preferred name must be 100 characters or fewer"),
    ],
)
def test_a_name_over_100_characters_is_refused_with_a_message_when_registering(personas, practice, field, message):
    browser = signed_in_with_csrf(personas.gp_practice_staff.username)
    data = register_data(practice, **{field: "Abcdefghij" * 10 + "k"})
    response = browser.post("/people/new/", data | {"csrfmiddlewaretoken": csrf_from(browser, "/people/new/")})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.filter(nhs_number="9990000026").exists()


def test_a_name_over_100_characters_is_refused_with_a_message_when_editing(personas, person, practice):
    browser = signed_in_with_csrf(personas.community_clinician.username)
    page = f"/people/{person.pk}/edit/"
    form = edit_data(
        person,
        practice,
        family_name="Ashworth" * 13,
        preferred_name="Zo" * 51,
        csrfmiddlewaretoken=csrf_from(browser, page),
    )
    response = browser.post(page, form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Last name must be 100 characters or fewer" in html
    assert "Preferred name must be 100 characters or fewer" in html
    person.refresh_from_db()
    assert person.family_name == "Ashworth"
