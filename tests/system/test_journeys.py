"""What staff do in the browser, step by step, in Debian's Chromium against the live server.

Every page a journey reaches is checked with axe-core (WCAG 2.2 A and AA) and for anything the
Content Security Policy refused, which would mean a page needed inline script or style.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NHS_NUMBER = "999 000 0018"  # the `person` fixture: Zoë Ashworth, born 15 March 1984


def search_by_name_and_date_of_birth(me, name, day, month, year):
    page = me.page
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/people/\?"))
    me.check_no_problem_is_shown()


def search_by_nhs_number(me, nhs_number):
    page = me.page
    page.get_by_label("NHS number").fill(nhs_number)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/people/\?"))
    me.check_no_problem_is_shown()


def test_a_community_clinician_finds_a_person_and_reads_their_timeline(me, person):
    page = me.page
    # Given I am signed in as a community clinician on the person's care team
    me.sign_in_as("test.community_clinician", check=True)

    # When I look for Zoë by her name, typed without the accent, and her date of birth
    me.go_to_find_a_person()
    search_by_name_and_date_of_birth(me, "zoe ashworth", "15", "3", "1984")

    # Then I find her, and only her
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    results = page.get_by_role("table", name="People found")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and Zoë
    expect(results).to_contain_text(NHS_NUMBER)
    me.check_the_page("the search page with a result")

    # When I open her record
    results.get_by_role("link", name="Zoë Ashworth").click()

    # Then I see who she is and who works with her
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Ashworth")
    expect(page.locator(".app-person-banner")).to_contain_text(NHS_NUMBER)
    expect(page.locator(".app-person-banner")).to_contain_text("15 March 1984")
    expect(page.get_by_role("heading", name="Care team")).to_be_visible()
    me.check_the_page("the record page")

    # When I open the whole timeline
    page.get_by_role("link", name="See the whole timeline").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    timeline = page.locator("ol.nhsuk-list")
    expect(timeline).to_contain_text("Record created")
    expect(timeline).to_contain_text("joined the care team")
    me.check_the_page("the timeline")

    # And show only the events from the shared record
    page.get_by_label("Show events from").select_option(label="Shared record")
    page.get_by_role("button", name="Show").click()

    # Then the care team's events are no longer listed
    page.wait_for_url(re.compile(r"service=record"))
    assert page.get_by_label("Show events from").input_value() == "record"
    expect(timeline).to_contain_text("Record created")
    expect(timeline).not_to_contain_text("joined the care team")
    me.check_the_page("the timeline filtered by service")


def test_registering_a_person_with_wrong_details_explains_each_problem(me, personas, practice):
    page = me.page
    # Given I am signed in as GP practice staff, registering a new person
    me.sign_in_as("test.gp_practice_staff")
    page.goto("/people/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a person")

    # When I mistype the NHS number and give a date of birth in the future, all else correct
    page.get_by_label("NHS number").fill("999 000 0027")
    page.get_by_label("First name").fill("Siân")
    page.get_by_label("Last name", exact=True).fill("Hargreaves")
    page.get_by_label("Day").fill("4")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2999")
    page.get_by_label("Female").check()
    page.get_by_label("Ethnicity").select_option(index=1)
    page.get_by_label("Registered GP practice").select_option(value=str(practice.pk))
    page.get_by_role("button", name="Create record").click()

    # Then the page tells me there is a problem, and lists both, and nothing else
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    problems = summary.get_by_role("link").all_inner_texts()
    assert len(problems) == 2, problems
    assert problems[0].startswith("NHS number is not valid")
    assert problems[1] == "Date of birth must be today or in the past"
    # And the error summary has the focus, so a screen reader reads it first
    assert "nhsuk-error-summary" in page.evaluate("document.activeElement.className")
    # And each field says what is wrong with it, next to it
    expect(page.locator("#id_nhs_number-error")).to_contain_text("NHS number is not valid")
    expect(page.locator("#id_date_of_birth-error")).to_contain_text("must be today or in the past")
    me.check_the_page("the register page with errors")

    # When I follow each problem in the summary, it takes me to the field to correct
    summary.get_by_role("link", name="NHS number is not valid").click()
    assert me.focused()["id"] == "id_nhs_number"
    summary.get_by_role("link", name="Date of birth must be today or in the past").click()
    assert me.focused()["id"] == "id_date_of_birth-day"

    # And what I typed is still there to correct
    assert page.get_by_label("NHS number").input_value() == "999 000 0027"
    assert page.get_by_label("First name").input_value() == "Siân"


def test_staff_who_do_not_work_with_a_person_cannot_tell_they_exist(me, person):
    page = me.page
    # Given I am signed in as a practitioner in another part of the region, not on Zoë's care team
    me.sign_in_as("test.outsider")

    # When I search for Zoë by her NHS number
    me.go_to_find_a_person()
    search_by_nhs_number(me, "9990000018")

    # Then no one is found
    expect(page.get_by_role("heading", name="0 people found")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No one found that you work with")
    expect(page.get_by_role("table", name="People found")).to_have_count(0)
    me.check_the_page("the search page with no result")

    # When I type the address of her record
    response = page.goto(f"/people/{person.pk}/")

    # Then the page is not found, exactly as for someone who does not exist
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert "Ashworth" not in page.content()
    me.check_the_page("the page not found")


def tab_until(me, is_there, limit=40):
    """Press Tab until `is_there(focused element)`; fail if it never comes."""
    seen = []
    for _ in range(limit):
        me.page.keyboard.press("Tab")
        focused = me.focused()
        if is_there(focused):
            return focused
        seen.append(focused["id"] or focused["text"] or focused["tag"])
    raise AssertionError(f"never reached with Tab; focus went through: {seen}")


def test_a_person_can_be_found_and_opened_with_the_keyboard_alone(me, person):
    page = me.page
    # Given I am signed in, on the search page
    me.sign_in_as("test.community_clinician")
    page.goto("/people/")

    # When I Tab to the NHS number, type it and press Enter
    tab_until(me, lambda f: f["id"] == "id_nhs_number")
    page.keyboard.type(NHS_NUMBER)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"nhs_number="))
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()

    # And Tab to her name in the results and press Enter
    tab_until(me, lambda f: f["tag"] == "a" and f["text"] == "Zoë Ashworth")
    page.keyboard.press("Enter")

    # Then her record opens
    page.wait_for_url(re.compile(rf"/people/{person.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Ashworth")
    me.check_nothing_was_blocked()


def test_signing_in_and_searching_work_without_javascript(open_browser, person):
    # Given a browser with JavaScript switched off
    me = open_browser(java_script_enabled=False)
    page = me.page

    # When I sign in and search by NHS number
    me.sign_in_as("test.community_clinician")
    me.go_to_find_a_person()
    search_by_nhs_number(me, NHS_NUMBER)

    # Then I find the person and can open the record
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    page.get_by_role("link", name="Zoë Ashworth").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Ashworth")
    # And the scripts really were off: the page never marked itself as enhanced
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
