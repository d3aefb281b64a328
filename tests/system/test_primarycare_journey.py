"""Primary care mental health in the browser: a GP's question, answered by the PCN's mental health practitioner,
who adds the person to their caseload, assesses them, delivers two sessions and refers them to peer support.

Every page of ours the journey reaches is checked with axe-core (WCAG 2.2 A and AA) and for anything the Content
Security Policy refused.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def fill_date(page, field, day):
    page.locator(f"#id_{field}-day").fill(str(day.day))
    page.locator(f"#id_{field}-month").fill(str(day.month))
    page.locator(f"#id_{field}-year").fill(str(day.year))


def test_a_gps_question_becomes_assessment_sessions_and_a_peer_support_referral(open_browser, personas, person):
    today = dt.date.today()
    gp = open_browser()
    page = gp.page

    # Given I work at Zoë's GP practice
    gp.sign_in_as("test.gp_practice_staff")
    page.goto(f"/primary-care/{person.pk}/")
    gp.check_the_page("the person's primary care page, for the GP")

    # When I ask the PCN's mental health practitioners about her, first forgetting the question
    page.get_by_role("link", name="Ask the PCN mental health practitioners").click()
    page.get_by_role("button", name="Send question").click()
    error = page.get_by_role("alert").get_by_text("Enter your question for the mental health practitioner")
    expect(error).to_be_visible()
    gp.check_the_page("the question form with an error")
    page.get_by_label("Your question for the mental health practitioner").fill(
        "Zoë has had low mood since losing her job and is behind with her rent. What else can we offer?"
    )
    page.get_by_role("button", name="Send question").click()
    expect(page.locator("body")).to_contain_text("Your question has been sent")

    mhp = open_browser()
    page = mhp.page
    # Given I am the PCN's mental health practitioner
    mhp.sign_in_as("test.mhp")
    page.get_by_role("link", name="Primary care caseload").first.click()
    expect(page.get_by_role("heading", name="Questions from GP practices")).to_be_visible()
    expect(page.locator("body")).to_contain_text("behind with her rent")
    mhp.check_the_page("my caseload with a GP question")

    # When I answer the GP's question with advice
    page.get_by_role("link", name="Zoë Ashworth").click()
    page.get_by_role("link", name="Answer with advice").click()
    page.get_by_label("The advice you gave").fill("I will see her: assessment this week, then a few sessions.")
    fill_date(page, "given_on", today)
    mhp.check_the_page("the advice form")
    page.get_by_role("button", name="Save advice").click()
    expect(page.locator("main")).to_contain_text("Advice recorded")

    # And add her to my caseload
    page.get_by_role("link", name="Add to a caseload").first.click()
    page.get_by_label("Why are you adding them").fill("GP's question: low mood and rent arrears")
    fill_date(page, "opened_on", today)
    mhp.check_the_page("the add to caseload form")
    page.get_by_role("button", name="Add to caseload").click()
    expect(page.get_by_role("heading", name="On the caseload")).to_be_visible()

    # And assess her
    page.get_by_role("link", name="Record the assessment").click()
    fill_date(page, "assessed_on", today)
    page.get_by_label("Mental health (optional)").fill("Low mood for four months, sleeping badly")
    page.get_by_label("Money (optional)").fill("Two months behind with the rent")
    page.get_by_label("Risk summary").fill("No thoughts of self-harm; crisis numbers given")
    page.get_by_label("What matters to the person").fill("Keeping her flat")
    page.get_by_label("Not yet: to take at a later session").check()
    mhp.check_the_page("the assessment form")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.locator("body")).to_contain_text("Two months behind with the rent")

    # And deliver two sessions, the first time forgetting the type
    for number, kind in ((1, "Problem solving"), (2, "Behavioural activation")):
        page.get_by_role("link", name="Record a session").click()
        fill_date(page, "held_on", today)
        page.get_by_label("What was done").fill(f"Session {number}: worked on a plan for the week")
        page.get_by_label("Outcome").fill("Agreed next steps")
        if number == 1:
            page.get_by_role("button", name="Save session").click()
            expect(page.get_by_role("alert").get_by_text("Select the type of session")).to_be_visible()
            mhp.check_the_page("the session form with an error")
        page.get_by_label("Type of session").select_option(label=kind)
        page.get_by_role("button", name="Save session").click()
        expect(page.locator("body")).to_contain_text(f"Session {number} recorded")
    expect(page.locator("body")).to_contain_text("2 of 6 sessions")
    mhp.check_the_page("the person's primary care page with two sessions")

    # And refer her on to peer support
    page.get_by_role("link", name="Refer on").click()
    page.get_by_label("Peer support").check()
    page.get_by_label("Why").fill("Isolated since losing her job; would like to meet people")
    fill_date(page, "referred_on", today)
    mhp.check_the_page("the onward referral form")
    page.get_by_role("button", name="Save referral").click()
    expect(page.locator("body")).to_contain_text("Referral to")

    # Then the referral continues in the peer support service's form (when it exists), and her timeline shows it all
    page.goto(f"/people/{person.pk}/timeline/")
    timeline = page.locator("ol.nhsuk-list").inner_text()
    for event in (
        "asked the PCN mental health practitioners",
        "gave advice",
        "Added to",
        "Assessed by",
        "Session 2",
        "Referred on by",
        "To Peer support",  # the content, shown to the MHP, who may open the primary care page
    ):
        assert event in timeline, event
