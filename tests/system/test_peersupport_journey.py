"""Peer support in the browser: an MHP refers Zoë, a senior allocates a volunteer, and the volunteer records
a contact that connects her to a community activity and rates the service's outcomes with her.

Every page on the way is checked with axe-core (WCAG 2.2 A and AA) and for anything the Content Security
Policy refused."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_volunteer_is_allocated_records_a_contact_and_rates_outcomes(open_browser, person, peer_workers, offers):
    today = timezone.localdate()

    # Given I am signed in as Zoë's primary care mental health practitioner
    mhp = open_browser()
    mhp.sign_in_as("test.mhp")
    page = mhp.page

    # When I refer her to peer support
    page.goto(f"/peer-support/people/{person.pk}/")
    mhp.check_the_page("the person's peer support page, before a referral")
    page.get_by_role("link", name="Refer to peer support").click()
    mhp.check_the_page("the referral form")
    page.get_by_role("button", name="Refer to peer support").click()
    # (nothing filled in: the error summary names both problems)
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    mhp.check_the_page("the referral form with errors")
    page.get_by_label("Primary care mental health practitioner").check()
    page.get_by_label("What would the person like from peer support?").fill("To get out more and meet people")
    page.get_by_role("button", name="Refer to peer support").click()

    # Then she is waiting for a worker
    expect(page.locator("main")).to_contain_text("Waiting for a peer support worker in Blackpool")

    # Given I am the senior peer support worker for Blackpool
    senior = open_browser()
    senior.sign_in_as("test.senior_peer_support_worker")
    page = senior.page
    page.get_by_role("link", name="Peer support", exact=True).first.click()
    senior.check_the_page("the senior's caseload page")
    page.get_by_role("link", name="Referrals waiting for a worker").click()
    senior.check_the_page("the referrals waiting")

    # When I allocate Zoë to the lived-experience volunteer
    page.get_by_role("link", name="Zoë Ashworth").click()
    senior.check_the_page("the allocation page")
    volunteer_option = page.locator("#id_worker option", has_text="Lived-experience volunteer")
    page.get_by_label("Worker or volunteer").select_option(value=volunteer_option.get_attribute("value"))
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator("main")).to_contain_text("allocated to")

    # Given I am that volunteer
    volunteer = open_browser()
    volunteer.sign_in_as("test.volunteer")
    page = volunteer.page
    page.get_by_role("link", name="Peer support", exact=True).first.click()
    volunteer.check_the_page("the volunteer's caseload")
    page.get_by_role("table", name="People allocated to me").get_by_role("link", name="Zoë Ashworth").click()
    volunteer.check_the_page("Zoë's peer support page")

    # When I record a contact
    page.get_by_role("link", name="Record a contact").click()
    volunteer.check_the_page("the contact form")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("link", name="Enter the date of the contact")).to_be_visible()
    volunteer.check_the_page("the contact form with errors")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("How long was it, in minutes?").fill("60")
    page.get_by_label("Went with the person to an activity or appointment").check()
    page.get_by_label("What was done").fill("Went together to the walking group on the promenade")
    page.get_by_role("button", name="Save contact").click()

    # Then I am asked which community activities I connected her to, in her locality
    expect(page.get_by_role("heading", name="Connect Zoë to a community activity")).to_be_visible()
    volunteer.check_the_page("the directory, connecting a person")
    page.get_by_label("Search words (optional)").fill("walk")
    page.get_by_role("button", name="Search the directory").click()
    results = page.get_by_role("table", name="Community offers found")
    expect(results).to_contain_text("Seafront walking group")
    expect(results).not_to_contain_text("Community allotment")  # in Furness
    results.get_by_role("button", name="Connect Zoë to Seafront walking group").click()

    # And the contact shows the connection
    main = page.locator("main")
    expect(main).to_contain_text("Connected to: Seafront walking group")
    volunteer.check_the_page("Zoë's peer support page after a contact")

    # When I rate the outcomes with her at the start
    page.get_by_role("link", name="Rate outcomes with Zoë").click()
    volunteer.check_the_page("the outcomes form")
    page.get_by_label("Start").check()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("group", name="Connected to my community and less lonely").get_by_label("2 - A little").check()
    page.get_by_role("group", name="Supported in recovery").get_by_label("3 - Somewhat").check()
    page.get_by_role("button", name="Save ratings").click()

    # Then the outcomes table shows them
    outcomes = page.get_by_role("table", name="Outcomes rated with the person, and the change")
    expect(outcomes).to_contain_text("Start 2")
    volunteer.check_the_page("Zoë's peer support page with outcomes")
