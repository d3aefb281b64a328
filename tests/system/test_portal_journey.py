"""The person's own Joined Up, in a browser, signed in through the stand-in NHS login (standins/oidc).

The person agrees their plan with a comment and their key worker sees it; prepares for a discussion the chair then
sees; sees the key worker's read of a minute earlier in "who has looked"; grants a carer access, who signs in with
their own NHS login, and ends it. Every portal page reached is checked with axe-core (WCAG 2.2 A and AA), at 320 px
wide without sideways scrolling, and the main tasks are done by keyboard.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from joinedup.portal.tests.fixtures import CALLBACK, CLIENT_ID

pytestmark = pytest.mark.browser
NARROW = {"width": 320, "height": 640}


@pytest.fixture
def provider(portal, live_server):
    redirects = portal.config.clients[CLIENT_ID]["redirect_uris"]
    if live_server.url + CALLBACK not in redirects:
        redirects.append(live_server.url + CALLBACK)
    return portal


def sign_in_to_portal(journey, who_label, *, check=False):
    page = journey.page
    page.goto("/my/sign-in/")
    if check:
        fits(journey, "the portal sign-in page")
    page.get_by_role("button", name="Continue to NHS login").click()
    expect(page.get_by_role("heading", name="Stand-in sign in")).to_be_visible()
    page.get_by_role("button", name=who_label).click()


def fits(journey, what):
    page = journey.page
    widths = page.evaluate("() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})")
    assert widths["page"] <= widths["screen"], f"{what} scrolls sideways at 320 px: {widths['page']} px wide"
    journey.check_the_page(what)


def test_the_person_agrees_their_plan_prepares_for_a_discussion_and_sees_who_has_looked(
    open_browser, provider, person, agreed_plan, emdt_chain, personas, url_arg_booking_id
):
    from joinedup.care.models import PlanStatus
    from joinedup.care.services import plan_draft_share, plan_draft_start

    # The EMDT discussion's actions may already have started the draft (docs/journeys.md): carry on with it.
    draft = person.care_plan_versions.filter(status=PlanStatus.DRAFT).first() or plan_draft_start(
        by=personas.community_clinician, person=person
    )
    plan_draft_share(by=personas.community_clinician, draft=draft, shared=True)
    item = emdt_chain["review_item"]

    # Zoë's key worker reads her record a minute before she signs in
    worker = open_browser()
    worker.sign_in_as("test.community_clinician")
    worker.page.goto(f"/people/{person.pk}/")
    expect(worker.page.get_by_role("heading", level=1)).to_contain_text("Zoë")

    # Zoë signs in on her phone with NHS login
    me = open_browser(viewport=NARROW)
    page = me.page
    sign_in_to_portal(me, "Zoë Ashworth (P9)", check=True)
    expect(page.get_by_role("heading", name="Hello Zoë")).to_be_visible()
    fits(me, "the portal home page")

    # She reads the new plan and agrees it with a comment, by keyboard
    page.get_by_role("link", name="See your plan").click()
    expect(page.get_by_role("heading", name="A new plan for you to look at")).to_be_visible()
    fits(me, "the portal plan page")
    page.get_by_role("button", name="Agree or ask for changes").click()
    fits(me, "the answer page")
    page.get_by_label("I agree with this plan").focus()
    page.keyboard.press("Space")
    page.get_by_label("Your comments").focus()
    page.keyboard.type("Thank you, this is what we talked about")
    page.get_by_role("button", name="Send").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You agreed your plan")).to_be_visible()
    fits(me, "the plan page after agreeing")

    # She prepares for her discussion
    page.get_by_role("link", name="Home").first.click()
    page.get_by_role("link", name="Get ready for this meeting").click()
    fits(me, "the prepare page")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits(me, "the prepare page with an error")
    page.get_by_label("What I want to say").fill("I want help with my rent arrears")
    page.get_by_label("Who I would like there").fill("My sister Jo")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("The people at your discussion will see what you wrote")).to_be_visible()

    # She sees her key worker's read in "who has looked"
    page.goto("/my/who-has-looked/")
    fits(me, "who has looked")
    organisation = personas.community_clinician.primary_organisation.name
    expect(page.locator("table")).to_contain_text(organisation)
    expect(page.locator("table")).to_contain_text("Community mental health clinician")
    for path, what in (
        ("/my/sharing/", "sharing"),
        ("/my/download/", "download"),
        ("/my/helpers/", "helpers"),
        ("/my/about-me/", "about me"),
        ("/my/how-am-i-doing/", "DIALOG"),
        (f"/my/health-check/{url_arg_booking_id}/", "the health check booking"),
        ("/my/who-has-looked/concern/", "raise a concern"),
    ):
        page.goto(path)
        fits(me, what)

    # She fills in DIALOG herself
    page.goto("/my/how-am-i-doing/")
    for number in range(1, 12):
        page.locator(f"input[name=item_{number}][value='5']").check()
        page.locator(f"input[name=help_{number}][value='no']").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Your answers are saved")).to_be_visible()
    expect(page.get_by_text("by you")).to_be_visible()
    fits(me, "DIALOG with a score")

    # The key worker sees her agreement in their tasks
    worker.page.goto("/tasks/")
    expect(worker.page.get_by_role("link", name=re.compile("agreed their care and support plan"))).to_be_visible()

    # The chair sees her own words on the meeting page
    chair = open_browser()
    chair.sign_in_as("test.emdt_coordinator")
    chair.page.goto(f"/meetings/meeting/{item.meeting_id}/")
    expect(chair.page.get_by_text("I want help with my rent arrears")).to_be_visible()


def test_the_person_grants_a_carer_who_signs_in_and_then_the_person_ends_it(open_browser, provider, person):
    me = open_browser(viewport=NARROW)
    page = me.page
    sign_in_to_portal(me, "Zoë Ashworth (P9)")
    expect(page.get_by_role("heading", name="Hello Zoë")).to_be_visible()
    page.goto("/my/helpers/")
    expect(page.get_by_role("heading", name="People who help me")).to_be_visible()
    page.get_by_label("Carer or family member").check()
    page.get_by_label("Their name").fill("Cara Carer")
    page.get_by_label("Their NHS number").fill("999 000 0034")
    birth = page.get_by_role("group", name="Their date of birth")
    birth.get_by_label("Day").fill("30")
    birth.get_by_label("Month").fill("6")
    birth.get_by_label("Year").fill("1970")
    page.get_by_label("See my plan and appointments").check()
    until = dt.date.today() + dt.timedelta(days=30)
    end = page.get_by_role("group", name="Until when?")
    end.get_by_label("Day").fill(str(until.day))
    end.get_by_label("Month").fill(str(until.month))
    end.get_by_label("Year").fill(str(until.year))
    page.get_by_role("button", name="Let them help").click()
    expect(page.get_by_text("Cara Carer can now sign in")).to_be_visible()
    fits(me, "helpers with a carer")

    carer = open_browser(viewport=NARROW)
    sign_in_to_portal(carer, "Cara Carer (P9)")
    expect(carer.page.get_by_role("heading", name="Helping Zoë")).to_be_visible()
    fits(carer, "the carer's home page")
    carer.page.goto("/my/sharing/")
    expect(carer.page.get_by_role("heading", name="You cannot use this page")).to_be_visible()

    page.get_by_role("link", name="Stop access for Cara Carer").click()
    page.get_by_role("button", name="Stop access now").click()
    expect(page.get_by_text("Cara Carer can no longer see your record")).to_be_visible()

    carer.page.goto("/my/")
    expect(carer.page.get_by_role("heading", name="You cannot use this page")).to_be_visible()
    expect(carer.page.locator("main")).not_to_contain_text("Zoë")
