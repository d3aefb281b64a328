"""Staff accounts in the browser: an administrator adds a starter, the starter signs in with NHS CIS2 (the stand-in
provider) and sees their team's caseload (the PCN mental health team's), the administrator ends a leaver's account
and hands their people to the starter; and every role signs out from the header, after which the back button shows
nothing."""

import json

import pytest
from playwright.sync_api import expect

from joinedup.accounts import cis2
from joinedup.directory.models import TeamKind
from standins.oidc.testing import running_provider

pytestmark = pytest.mark.browser

STARTER_UID = "555012345678"


@pytest.fixture
def cis2_standin(settings, live_server, tmp_path):
    settings.CIS2_OIDC_CLIENT_ID = "joinedup-cis2-journey"
    settings.CIS2_OIDC_PRIVATE_KEY = ""
    settings.CIS2_OIDC_PRIVATE_KEY_FILE = str(tmp_path / "cis2-client.pem")
    jwks = json.loads(cis2.write_demo_client_key(tmp_path / "cis2-client.pem").read_text())
    client = {
        "client_id": settings.CIS2_OIDC_CLIENT_ID,
        "redirect_uris": [f"{live_server.url}/account/cis2/callback/"],
        "jwks": jwks,
        "profile": "cis2",
    }
    starter = {"id": "nia", "label": "Nia Starter", "profile": "cis2", "claims": {"uid": STARTER_UID}}
    with running_provider(clients=[client], identities=[starter]) as provider:
        settings.CIS2_OIDC_ISSUER = provider.issuer
        cis2.provider.reset()
        yield provider
    cis2.provider.reset()


def test_administrator_adds_a_starter_who_signs_in_with_cis2_and_takes_over_a_leavers_people(
    open_browser, personas, person, pc_episode, cis2_standin
):
    admin = open_browser()
    page = admin.page
    # The Blackpool PCN's mental health team, whose caseload (Zoë, with the team's MHP) the starter will see.
    team = personas.mhp.primary_membership.team
    assert team.kind == TeamKind.PCN_MENTAL_HEALTH

    # Given I am an administrator of the trust, on the Staff pages
    admin.sign_in_as("test.administrator")
    page.get_by_role("link", name="Staff", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    admin.check_the_page("the staff list")

    # When I add a starter who signs in with CIS2
    page.get_by_role("link", name="Add a member of staff").click()
    admin.check_the_page("the add staff page")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Starter")
    page.get_by_label("User name").fill("nia.starter")
    page.get_by_label("NHS CIS2 user id (optional)").fill(STARTER_UID)
    page.get_by_label("Team").select_option(value=str(team.pk))
    page.get_by_label("Role").select_option(value="mhp")
    page.get_by_label("Reason for the change").fill("New mental health practitioner in the PCN team")
    page.get_by_role("button", name="Add them").click()

    # Then their account page shows them in the team, signing in with CIS2
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nia Starter")
    expect(page.locator("main")).to_contain_text("NHS CIS2 (user id 555012345678)")
    expect(page.locator("main")).to_contain_text(team.name)
    admin.check_the_page("the starter's account page")

    # When the starter signs in with NHS CIS2 and opens their team's caseload
    starter = open_browser()
    spage = starter.page
    spage.goto("/account/sign-in/")
    starter.check_the_page("the sign-in page with CIS2")
    spage.get_by_role("link", name="Sign in with NHS CIS2").click()
    spage.get_by_role("button", name="Nia Starter").click()
    expect(spage.get_by_role("button", name="Sign out")).to_have_count(1)
    expect(spage.locator("header")).to_contain_text("Nia Starter")
    spage.goto("/primary-care/")
    expect(spage.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(spage.locator("main")).to_contain_text("No one on the caseload")
    spage.get_by_role("link", name="Whole PCN caseload").click()
    expect(spage.get_by_role("heading", level=1)).to_have_text("PCN caseload")
    expect(spage.get_by_role("link", name="Zoë Ashworth")).to_be_visible()
    starter.check_the_page("the starter's team caseload")
    spage.goto("/care/caseload/")
    expect(spage.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(spage.locator("main")).to_contain_text("You are not key worker for anyone yet")

    # When I end the account of a leaver, the key worker of Zoë Ashworth
    leaver = personas.community_clinician
    page.goto("/staff/")
    page.get_by_label("Search by name or user name").fill(leaver.username)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=leaver.get_full_name()).click()
    page.get_by_role("link", name="End their account: they are leaving").click()
    admin.check_the_page("the end account page")
    page.get_by_label("Reason for the change").fill("Left the trust on 30 November")
    page.get_by_role("button", name="End their account").click()

    # Then their people and open tasks are listed for handing over
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has ended and they have been signed out")
    expect(page.locator("main")).to_contain_text("Zoë Ashworth")
    admin.check_the_page("the leaver's page")
    page.goto("/staff/without-key-worker/")
    expect(page.locator("main")).to_contain_text("Zoë Ashworth")
    admin.check_the_page("people whose key worker has left")
    page.go_back()

    # When I hand Zoë to the starter
    page.get_by_role("link", name="Hand their people to a new key worker").click()
    page.get_by_label("Zoë Ashworth").check()
    page.get_by_label("New key worker", exact=True).select_option(label="Nia Starter (nia.starter)")
    page.get_by_label("Reason", exact=True).fill("Caseload shared out after leaving")
    page.get_by_label("Handover note for the new key worker").fill("Zoë prefers phone calls after 10am.")
    admin.check_the_page("the hand over page")
    page.get_by_role("button", name="Hand over").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("1 person has a new key worker: Nia Starter")
    page.goto("/staff/without-key-worker/")
    expect(page.locator("main")).to_contain_text("Nobody: everyone has a key worker")

    # Then the starter sees Zoë on their caseload
    spage.goto("/care/caseload/")
    expect(spage.get_by_role("link", name="Zoë Ashworth")).to_be_visible()
    starter.check_the_page("the starter's caseload with Zoë")


def test_every_role_signs_out_from_the_header_and_the_back_button_shows_nothing(open_browser, personas):
    for label, user in personas.all().items():
        me = open_browser()
        page = me.page
        me.sign_in_as(user.username)
        start = "/staff/access-review/" if label == "ig_lead" else ("/staff/" if label == "administrator" else "/")
        page.goto(start)
        expect(page.get_by_role("button", name="Sign out")).to_have_count(1)
        private = page.locator("header").inner_text()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
        page.go_back()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Joined Up")
        assert user.get_full_name() not in page.locator("body").inner_text(), f"{label}: {private}"
        page.context.close()
