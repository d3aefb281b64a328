"""Signing in and out, setting up the second factor, and the error pages, in Debian's Chromium."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from joinedup.accounts.services import enrolment_code_issue
from joinedup.accounts.tests.helpers import PASSWORD, current_code

pytestmark = pytest.mark.browser


def test_staff_sign_out_from_the_header_and_their_session_ends(me, personas):
    page = me.page
    # Given I am signed in
    me.sign_in_as("test.community_clinician")

    # When I press "Sign out" in the header
    page.get_by_role("button", name="Sign out").click()

    # Then I am told I have signed out, and the pages need signing in again
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    me.check_the_page("the signed-out page")
    page.goto("/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Joined Up")


def test_a_wrong_address_shows_the_nhs_page_not_found(me, personas):
    page = me.page
    me.sign_in_as("test.community_clinician")
    response = page.goto("/people/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(1)  # the normal header
    me.check_the_page("the page-not-found page")


def test_new_staff_set_up_their_authenticator_app_with_the_administrators_set_up_code(me, personas, settings):
    settings.SKIP_SECOND_FACTOR = False
    page = me.page
    code, _ = enrolment_code_issue(by=personas.administrator, user=personas.mhp)

    # Given I sign in with my password for the first time
    page.goto("/account/sign-in/")
    page.get_by_label("User name").fill("test.mhp")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Then I am asked for the set-up code from my administrator, not shown a key
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your set-up code")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_have_count(0)
    me.check_the_page("the set-up code page")

    # When I type a wrong code, I am told so
    page.get_by_label("Set-up code").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The set-up code is not right")

    # When I type the code my administrator gave me
    page.get_by_label("Set-up code").fill(code)
    page.get_by_role("button", name="Continue").click()

    # Then I can scan my key, and the code my app shows lets me in
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    me.check_the_page("the authenticator set-up page")
    page.get_by_label("Security code").fill(current_code(TOTPDevice.objects.get(user=personas.mhp)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(1)


def test_an_administrator_issues_a_set_up_code_from_the_menu(me, personas):
    page = me.page
    me.sign_in_as("test.administrator")
    page.get_by_role("link", name="Set-up codes").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set-up codes")
    me.check_the_page("the set-up codes page")

    page.get_by_label("User name").fill("test.mhp")
    page.get_by_role("button", name="Issue a set-up code").click()
    expect(page.get_by_role("heading", name="Set-up code issued")).to_be_visible()
    expect(page.locator(".nhsuk-panel")).to_contain_text(re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}"))
    me.check_the_page("the set-up code issued")
