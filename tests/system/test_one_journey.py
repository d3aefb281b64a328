"""One person's journey across the services, in the browser (issue 10): a GP's question, answered by the PCN's
mental health practitioner, who sees Zoë for two sessions and asks for EMDT support (the form already holds what
they recorded); the EMDT discusses her and the actions agreed land in her care and support plan; her GP practice
finds it in its inbox and marks it seen.

Every page of ours the journey reaches is checked with axe-core (WCAG 2.2 A and AA) and for anything the Content
Security Policy refused.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def fill_date(page, field, day):
    page.locator(f"#id_{field}-day").fill(str(day.day))
    page.locator(f"#id_{field}-month").fill(str(day.month))
    page.locator(f"#id_{field}-year").fill(str(day.year))


def answer(page, legend, option):
    page.get_by_role("group", name=re.compile(legend)).get_by_label(option, exact=True).check()


def test_from_a_gps_question_to_the_practice_inbox(open_browser, personas, person):
    today = dt.date.today()

    # Given I work at Zoë's GP practice, and I ask the PCN's mental health practitioners about her
    gp = open_browser()
    gp.sign_in_as("test.gp_practice_staff")
    page = gp.page
    page.goto(f"/primary-care/{person.pk}/")
    page.get_by_role("link", name="Ask the PCN mental health practitioners").click()
    page.get_by_label("Your question for the mental health practitioner").fill(
        "Zoë has had low mood since losing her job and is behind with her rent. What else can we offer?"
    )
    page.get_by_role("button", name="Send question").click()
    expect(page.locator("body")).to_contain_text("Your question has been sent")

    # When the MHP answers, takes her on, assesses her and sees her twice
    mhp = open_browser()
    mhp.sign_in_as("test.mhp")
    page = mhp.page
    page.goto(f"/primary-care/{person.pk}/")
    page.get_by_role("link", name="Answer with advice").click()
    page.get_by_label("The advice you gave").fill("I will see her: assessment this week, then a few sessions.")
    fill_date(page, "given_on", today)
    page.get_by_role("button", name="Save advice").click()
    expect(page.locator("main")).to_contain_text("Advice recorded")
    page.get_by_role("link", name="Add to a caseload").first.click()
    page.get_by_label("Why are you adding them").fill("GP's question: low mood and rent arrears")
    fill_date(page, "opened_on", today)
    page.get_by_role("button", name="Add to caseload").click()
    expect(page.get_by_role("heading", name="On the caseload")).to_be_visible()
    page.get_by_role("link", name="Record the assessment").click()
    fill_date(page, "assessed_on", today)
    page.get_by_label("Money (optional)").fill("Two months behind with the rent")
    page.get_by_label("Risk summary").fill("No thoughts of self-harm; crisis numbers given")
    page.get_by_label("What matters to the person").fill("Keeping her flat")
    page.get_by_label("Not yet: to take at a later session").check()
    page.get_by_role("button", name="Save assessment").click()
    expect(page.locator("body")).to_contain_text("Two months behind with the rent")
    for number in (1, 2):
        page.get_by_role("link", name="Record a session").click()
        fill_date(page, "held_on", today)
        page.get_by_label("Type of session").select_option(label="Problem solving")
        page.get_by_label("What was done").fill(f"Session {number}: a plan for the week")
        page.get_by_label("Outcome").fill("Agreed next steps")
        page.get_by_role("button", name="Save session").click()
        expect(page.locator("body")).to_contain_text(f"Session {number} recorded")

    # And refers her on to the EMDT: the request form already holds what I recorded, and says what it knows
    page.get_by_role("link", name="Refer on").click()
    page.get_by_label("EMDT request").check()
    page.get_by_label("Why").fill("Money, housing and mood together: more than one service is needed")
    fill_date(page, "referred_on", today)
    page.get_by_role("button", name="Save referral").click()
    expect(page.get_by_label("Describe those needs")).to_have_value(
        re.compile("Money, housing and mood together.*Two months behind with the rent", re.S)
    )
    expect(page.get_by_label("Risks (optional)")).to_have_value("No thoughts of self-harm; crisis numbers given")
    expect(page.locator("main")).to_contain_text("Already known: not asked again")
    mhp.check_the_page("the EMDT request form, carried from the MHP's records")
    answer(page, "Criterion 1", "Yes")
    page.get_by_label("Debt advice").check()
    answer(page, "Criterion 2", "Yes")
    page.get_by_label("Why does the current care plan not reflect their needs?").fill("It covers medication only")
    answer(page, "agree to be discussed", "Yes")
    answer(page, "want to attend", "Yes, they want to attend")
    answer(page, "How urgent", "Routine")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("main")).to_contain_text("Request sent to")

    # Given I am the EMDT coordinator: every coming meeting is full (there are none), so I add one from triage
    chair = open_browser()
    chair.sign_in_as("test.emdt_coordinator")
    page = chair.page
    page.get_by_role("link", name="EMDT requests").first.click()
    page.get_by_role("link", name=re.compile("Zoë Ashworth")).click()
    expect(page.locator("main")).to_contain_text("has no coming meetings")
    chair.check_the_page("the triage page with no meeting that has room")
    page.get_by_role("link", name="Add a meeting").first.click()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Start time").fill("23:30")
    page.get_by_label("Place (optional if there is a video link)").fill("Whitegate Health Centre")
    page.get_by_label("How many people can be discussed").fill("6")
    page.get_by_role("button", name="Add meeting").click()
    expect(page.locator("main")).to_contain_text("Meeting added")
    answer(page, "Decision", "Accept and place on a meeting agenda")
    page.get_by_label("Meeting (if accepting)").select_option(index=1)
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator("main")).to_contain_text("Accepted")

    # When the meeting records her words from the agenda, and the outcome with an action for the VCFSE partner
    page.get_by_role("link", name="EMDT meetings").first.click()
    page.get_by_role("link", name=re.compile("Whitegate Health Centre")).first.click()
    page.get_by_role("link", name=re.compile("Record their words")).click()
    page.get_by_label("What do you want from the discussion?").fill("Help with the debts so I can sleep again")
    page.get_by_role("button", name="Save their words").click()
    expect(page.locator("main")).to_contain_text("Help with the debts so I can sleep again")
    chair.check_the_page("the agenda with her words")
    page.get_by_role("link", name=re.compile("Record outcome")).click()
    answer(page, "Did the person attend", "Attended and led the discussion")
    page.get_by_label("What was discussed").fill("Money worries; debt advice agreed")
    page.get_by_label("Changes to the care plan (optional)").fill("Add money support to the plan")
    page.get_by_label("Action 1: what will be done (optional)").fill("Book a debt advice appointment with Zoë")
    page.get_by_label("Action 1: owner").select_option(value=str(personas.partner_professional.pk))
    due = page.get_by_role("group", name="Action 1: due date")
    due.get_by_label("Day").fill(str(today.day))
    due.get_by_label("Month").fill(str(today.month))
    due.get_by_label("Year").fill(str(today.year + 1))
    page.get_by_label("Summary for the person").fill("We agreed a debt adviser will see you soon.")
    page.get_by_label("Summary for the GP").fill("Discussed at the Blackpool EMDT; debt advice agreed.")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.locator("main")).to_contain_text("Outcome recorded")

    # Then the action is in her care and support plan's draft, linked back to the discussion
    worker = open_browser()
    worker.sign_in_as("test.community_clinician")
    page = worker.page
    page.goto(f"/care/{person.pk}/plan/draft/")
    expect(page.locator("main")).to_contain_text("Add money support to the plan")
    worker.check_the_page("the draft plan after the discussion")
    page.goto(f"/care/{person.pk}/plan/draft/actions/")
    expect(page.locator("main")).to_contain_text("Book a debt advice appointment with Zoë")
    expect(page.get_by_role("link", name=re.compile("EMDT discussion on"))).to_have_count(1)
    worker.check_the_page("the draft's actions")

    # And her GP practice finds the outcome in its inbox, and marks it seen
    page = gp.page
    page.get_by_role("link", name="Practice inbox").first.click()
    expect(page.locator("main")).to_contain_text("changed your patient's care")
    expect(page.locator("main")).to_contain_text("answered")  # the advice, earlier
    gp.check_the_page("the practice inbox")
    outcome = page.get_by_role("row").filter(has_text="changed your patient's care")
    outcome.get_by_role("button", name=re.compile("Mark as seen")).click()
    expect(page.locator("main")).to_contain_text("Seen by Test GP practice staff")
    gp.check_the_page("the practice inbox after marking an item seen")
