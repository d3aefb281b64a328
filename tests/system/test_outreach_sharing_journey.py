"""Given an outreach worker and someone on their practice's SMI register who shares their record with nobody outside
the NHS (hazard H20): the health check page opens and says why the rest is hidden; the record says the same, and
neither page has an accessibility problem."""

import pytest
from playwright.sync_api import expect

from joinedup.healthchecks.registers import import_register
from joinedup.healthchecks.tests.helpers import nhs_for, register_file, row
from joinedup.people.models import Person

pytestmark = pytest.mark.browser


def test_outreach_worker_sees_the_health_check_and_why_the_rest_is_hidden(open_browser, personas, practice):
    import_register(register_file(practice.ods_code, [row(practice.ods_code, 8, family="Pendle", given="Rae")]))
    rae = Person.objects.get(nhs_number=nhs_for(8))
    me = open_browser()
    page = me.page
    me.sign_in_as("test.outreach_worker")

    page.goto(f"/health-checks/{rae.pk}/")
    expect(page.get_by_role("heading", name="Physical health checks")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "The rest of their record is hidden: they have not agreed to share it with voluntary and community"
    )
    nav = page.get_by_role("navigation", name="About this person")
    expect(nav.get_by_role("link", name="Record")).to_have_count(0)
    me.check_the_page("the health check page of someone who does not share their record")

    page.goto(f"/people/{rae.pk}/")
    expect(page.get_by_role("heading", name="This part of the record is not shared with you")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Rae has not agreed to share their record with voluntary")
    expect(page.locator("main")).not_to_contain_text("FY1 3AB")  # no address
    nav.get_by_role("link", name="Physical health checks").click()
    expect(page.get_by_role("heading", name="Physical health checks")).to_be_visible()
    page.go_back()
    me.check_the_page("the record page refused for lack of consent")
