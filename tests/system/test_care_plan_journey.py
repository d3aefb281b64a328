"""A key worker writes a care and support plan with the person, records their agreement and compares two
versions; a VCFSE worker then sees only the parts the person agreed to share with them.

Every page reached is checked with axe-core (WCAG 2.2 A and AA) and for Content Security Policy refusals.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_key_worker_drafts_agrees_and_compares_and_a_vcfse_worker_sees_only_shared_parts(
    open_browser, person, agreed_plan
):
    # Given I am signed in as Zoë's key worker, and she has an agreed plan (version 1)
    me = open_browser()
    page = me.page
    me.sign_in_as("test.community_clinician")

    # When I open her care and support plan
    page.goto(f"/care/{person.pk}/plan/")
    expect(page.get_by_role("heading", name="Care and support plan")).to_be_visible()
    expect(page.locator(".app-key-worker")).to_contain_text("single point of contact")
    me.check_the_page("the plan page")

    # And start a new draft from the agreed plan
    page.get_by_role("link", name="Start a new draft from the agreed plan").click()
    me.check_the_page("the start a draft page")
    page.get_by_role("button", name="Start the draft").click()

    # Then the draft starts as a copy of version 1, and I change what matters to her, in her words
    expect(page.get_by_role("heading", name="Draft plan, version 2")).to_be_visible()
    what_matters = page.get_by_role("textbox", name="What matters to me")
    assert what_matters.input_value() == "Seeing my sister and keeping my flat"
    me.check_the_page("the draft page")
    what_matters.fill("Seeing my sister, keeping my flat and getting back to the allotment")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()

    # When I add a goal without her words, I am told what to do
    page.get_by_role("link", name="Goals").click()
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    me.check_the_page("the goals page with an error")
    page.get_by_label("The goal, in the person's own words").fill("I want to grow my own tomatoes this summer")
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("I want to grow my own tomatoes this summer")).to_be_visible()

    # And I add an action for the VCFSE partner on her care team
    page.get_by_role("link", name="Actions", exact=True).click()
    me.check_the_page("the actions page")
    page.get_by_label("What will be done").fill("Introduce Zoë to the allotment society")
    page.get_by_label("Who will do it").select_option(index=2)
    due = dt.date.today() + dt.timedelta(days=21)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action added")).to_be_visible()

    # And I record her agreement
    page.get_by_role("link", name="Record agreement").click()
    me.check_the_page("the agreement page")
    today = dt.date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("By video call").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("The person's comments on their plan").fill("Yes, that's me. Tomatoes!")
    page.get_by_role("button", name="Record agreement").click()

    # Then version 2 is the agreed plan
    expect(page.get_by_text("Version 2 of the plan agreed")).to_be_visible()
    expect(page.get_by_role("heading", name="Version 2 Agreed")).to_be_visible()
    me.check_the_page("the plan page after agreement")

    # When I compare version 1 with version 2
    page.get_by_role("button", name="Compare versions").click()
    table = page.get_by_role("table", name="Version 1 compared with version 2")
    # wait for the comparison page: reading straight after the click raced the navigation
    expect(table.locator("ins").filter(has_text="tomatoes").first).to_be_visible()
    me.check_the_page("the comparison page")

    # And open her printable copy
    page.goto(f"/care/{person.pk}/plan/print/")
    expect(page.get_by_role("heading", name="My care and support plan")).to_be_visible()
    me.check_the_page("the printable copy")

    # Given a VCFSE worker on her care team (she agreed to share what matters and her goals with them)
    partner = open_browser()
    partner.sign_in_as("test.partner_professional")
    partner.page.goto(f"/care/{person.pk}/plan/")
    text = partner.page.locator("main").inner_text()
    # Then they see what matters to her and her goals, but not her crisis plan, needs or actions
    assert "getting back to the allotment" in text
    assert "tomatoes" in text
    assert "Crisis line" not in text
    assert "Rent arrears" not in text
    assert "not agreed to share" in text
    partner.check_the_page("the plan page for a VCFSE worker")
