"""An EMDT request from start to finish, in the browser: an MHP asks for EMDT support, the coordinator adds a
meeting and accepts the request onto it, the key worker records the person's own words, the meeting records
attendance and the outcome with an action, and the action's owner finds it in their task list.

Every page is checked with axe-core (WCAG 2.2 A and AA) and for anything the Content Security Policy refused.
"""

import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser


def answer(page, legend, option):
    page.get_by_role("group", name=re.compile(legend)).get_by_label(option, exact=True).check()


def test_an_emdt_request_is_accepted_discussed_and_its_action_lands_in_the_owners_tasks(open_browser, personas, person):
    today = timezone.localdate()

    # Given I am signed in as the primary care mental health practitioner
    mhp = open_browser()
    mhp.sign_in_as("test.mhp")
    page = mhp.page
    # When I request EMDT support for Zoë, meeting both criteria
    page.goto(f"/referrals/{person.pk}/")
    mhp.check_the_page("the person's EMDT page")
    page.get_by_role("link", name="Request EMDT support").click()
    mhp.check_the_page("the request form")
    answer(page, "Criterion 1", "Yes")
    page.get_by_label("Describe those needs").fill("Debts and rent arrears, low mood, not sleeping")
    page.get_by_label("Debt advice").check()
    page.get_by_label("Housing support").check()
    answer(page, "Criterion 2", "Yes")
    page.get_by_label("Why does the current care plan not reflect their needs?").fill(
        "The plan covers medication only; money and housing are not in it"
    )
    answer(page, "agree to be discussed", "Yes")
    answer(page, "want to attend", "Yes, they want to attend")
    answer(page, "How urgent", "Routine")
    page.get_by_role("button", name="Send request").click()
    # Then the request is waiting for triage
    assert "Request sent to Blackpool EMDT" in page.inner_text("main")
    assert "Waiting for triage" in page.inner_text("main")
    assert "Debt advice, Housing support" in page.inner_text("main")
    mhp.check_the_page("the request page")

    # Given I am the EMDT coordinator
    chair = open_browser()
    chair.sign_in_as("test.emdt_coordinator")
    page = chair.page
    # When I add today's meeting
    page.get_by_role("link", name="EMDT meetings").first.click()
    chair.check_the_page("the meetings list")
    page.get_by_role("link", name="Add a meeting").click()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Start time").fill("23:30")
    page.get_by_label("Place (optional if there is a video link)").fill("Whitegate Health Centre")
    page.get_by_label("How many people can be discussed").fill("6")
    chair.check_the_page("the new meeting form")
    page.get_by_role("button", name="Add meeting").click()
    assert "Meeting added" in page.inner_text("main")
    # And I triage the queue, accepting Zoë onto it
    page.get_by_role("link", name="EMDT requests").first.click()
    chair.check_the_page("the triage queue")
    page.get_by_role("link", name=re.compile("Zoë Ashworth")).click()
    chair.check_the_page("the triage page")
    answer(page, "Decision", "Accept and place on a meeting agenda")
    page.get_by_label("Meeting (if accepting)").select_option(index=1)
    page.get_by_role("button", name="Save decision").click()
    assert "Accepted" in page.inner_text("main")

    # Given I am Zoë's key worker, with her
    worker = open_browser()
    worker.sign_in_as("test.community_clinician")
    page = worker.page
    page.goto(f"/referrals/{person.pk}/")
    page.get_by_role("link", name=re.compile("Record what they want from the discussion")).click()
    worker.check_the_page("the person's words page")
    page.get_by_label("What do you want from the discussion?").fill("I want help with the debts so I can sleep again")
    page.get_by_role("button", name="Save their words").click()
    assert "Their words are saved" in page.inner_text("main")

    # When the meeting happens: attendance and the outcome
    page = chair.page
    page.get_by_role("link", name="EMDT meetings").first.click()
    page.get_by_role("link", name=re.compile("Whitegate Health Centre")).first.click()
    assert "I want help with the debts" in page.inner_text("main")
    assert "Invite Debt advice" in page.inner_text("main")  # suggested from the needs on the request
    chair.check_the_page("the meeting's agenda")
    page.get_by_role("link", name="Invite Debt advice").click()
    page.get_by_label("Name").fill("Dee Advice")
    page.get_by_label("Organisation").select_option(index=1)
    answer(page, "Attendance", "Attended")
    chair.check_the_page("the attendance form")
    page.get_by_role("button", name="Save").click()
    assert "Dee Advice" in page.inner_text("main")
    page.get_by_role("link", name=re.compile("Record outcome")).click()
    chair.check_the_page("the outcome form")
    answer(page, "Did the person attend", "Attended and led the discussion")
    page.get_by_label("What was discussed").fill("Zoë explained her money worries; debt advice agreed")
    page.get_by_label("Action 1: what will be done (optional)").fill("Book a debt advice appointment with Zoë")
    page.get_by_label("Action 1: owner").select_option(value=str(personas.partner_professional.pk))
    due = page.get_by_role("group", name="Action 1: due date")
    due.get_by_label("Day").fill(str(today.day))
    due.get_by_label("Month").fill(str(today.month))
    due.get_by_label("Year").fill(str(today.year + 1))
    page.get_by_label("Summary for the person").fill("We agreed a debt adviser will see you soon.")
    page.get_by_label("Summary for the GP").fill("Discussed at the Blackpool EMDT; debt advice agreed.")
    page.get_by_role("button", name="Save outcome").click()
    assert "Outcome recorded" in page.inner_text("main")
    chair.check_the_page("the case discussion")
    page.get_by_role("link", name="Summary for the person").click()
    assert "Dear Zoë" in page.inner_text("main")
    chair.check_the_page("the summary for the person")
    page.go_back()
    page.get_by_role("link", name="Summary for the GP").click()
    chair.check_the_page("the summary for the GP")

    # Then the action's owner finds it in their task list
    owner = open_browser()
    owner.sign_in_as("test.partner_professional")
    owner.page.goto("/tasks/")
    assert "Book a debt advice appointment with Zoë" in owner.page.inner_text("main")
    owner.check_the_page("the owner's task list")
    owner.page.get_by_role("link", name="Book a debt advice appointment with Zoë").click()
    owner.check_the_page("the action page")
