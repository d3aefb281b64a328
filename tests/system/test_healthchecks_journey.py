"""An outreach worker imports a practice's SMI register (two bad rows), claims Zoë, logs a failed then a successful
contact, books her check, records it at that appointment with a high BMI (the appointment is attended, its reminder
ends, and her outreach is kept as history), sees the suggested follow-up and exports the practice update, every
result coded.

Every page reached is checked with axe-core (WCAG 2.2 A and AA) and for Content Security Policy refusals.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from joinedup.healthchecks.tests.helpers import SCHIZOPHRENIA, nhs_for

pytestmark = pytest.mark.browser


def test_outreach_journey(open_browser, person, practice):
    me = open_browser()
    page = me.page
    me.sign_in_as("test.outreach_worker")

    # Import the practice's register: Zoë, one more good row and two bad rows
    page.goto("/health-checks/registers/upload/")
    me.check_the_page("the register upload page")
    lines = [
        "practice_code,nhs_number,family_name,given_name,date_of_birth,smi_code",
        f"{practice.ods_code},999 000 0018,Ashworth,Zoë,15/03/1984,{SCHIZOPHRENIA}",
        f"{practice.ods_code},{nhs_for(40)},Holt,Sam,1979-06-01,{SCHIZOPHRENIA}",
        f"{practice.ods_code},9990000019,Marsh,Kim,1980-01-01,{SCHIZOPHRENIA}",
        f"{practice.ods_code},{nhs_for(41)},Kent,Jo,31/02/1980,{SCHIZOPHRENIA}",
    ]
    page.set_input_files(
        "#id_file",
        files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": "\r\n".join(lines).encode("utf-8")}],
    )
    page.get_by_role("button", name="Import register").click()
    page.get_by_role("heading", name="Rejected rows").wait_for()
    table = page.locator("table").inner_text()
    assert "check digit" in table and "cannot be read" in table
    me.check_the_page("the import result page")

    # Claim Zoë from the worklist
    page.goto("/health-checks/")
    me.check_the_page("the worklist")
    page.get_by_role("link", name="Zoë Ashworth").click()
    me.check_the_page("Zoë's health check page")
    page.get_by_role("link", name="Work with this person").click()
    me.check_the_page("the claim page")
    page.get_by_role("button", name="Work with this person").click()
    expect(page.get_by_text("You are now working with this person")).to_be_visible()

    # A failed contact, then a successful one
    for outcome in ("No answer", "Spoke - accepted a check"):
        page.get_by_role("link", name="Record a contact attempt").click()
        if outcome == "No answer":
            page.get_by_role("button", name="Save contact attempt").click()
            expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
            me.check_the_page("the contact page with an error")
        page.get_by_label("Phone call").check()
        page.get_by_label(outcome).check()
        page.get_by_label("Next step (optional)").fill("Book a check")
        page.get_by_role("button", name="Save contact attempt").click()
        expect(page.get_by_text("Contact attempt recorded")).to_be_visible()

    # Book the check
    page.get_by_role("link", name="Book a health check").click()
    me.check_the_page("the booking page")
    day = dt.date.today() + dt.timedelta(days=7)
    page.get_by_label("GP practice").check()
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Place").fill("The surgery, room 2")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_text("Health check booked")).to_be_visible()
    page.goto("/tasks/")
    expect(page.get_by_text("Remind them of their health check")).to_be_visible()
    page.go_back()

    # Record the check, with a high BMI
    page.get_by_role("link", name="Record a health check").click()
    me.check_the_page("the record a check page")
    today = dt.date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("radio", name=re.compile(r"^Yes, .* with GP practice \(The surgery, room 2\)")).check()
    for label, value in (
        ("Height (cm)", "165"),
        ("Weight (kg)", "95"),
        ("Systolic blood pressure (mmHg)", "124"),
        ("Diastolic blood pressure (mmHg)", "80"),
        ("HbA1c (mmol/mol)", "39"),
        ("Total cholesterol (mmol/L)", "5.2"),
        ("Alcohol (units a week)", "6"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Smoking status").select_option("never")
    page.get_by_role("button", name="Save health check").click()
    expect(page.get_by_text("1 follow-up suggested")).to_be_visible()
    expect(page.get_by_role("cell", name="Offer weight management and lifestyle support")).to_be_visible()
    expect(page.get_by_role("cell", name="Attended")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Mark as missed"))).to_have_count(0)
    expect(page.get_by_text("ended when a full health check was recorded")).to_be_visible()
    me.check_the_page("Zoë's page after her check")
    page.goto("/tasks/")
    expect(page.get_by_text("Remind them of their health check")).to_have_count(0)

    # Export the practice's register update
    page.goto("/health-checks/updates/")
    me.check_the_page("the register updates page")
    page.get_by_role("button", name="Make the file").first.click()
    expect(page.get_by_text("Register update for")).to_be_visible()
    href = page.get_by_role("link", name="Download").first.get_attribute("href")
    csv_text = page.request.get(href).text()
    assert csv_text.startswith("nhs_number,date,snomed_code,description,value,unit")
    assert "9990000018" in csv_text and "60621009" in csv_text
    assert ",266919005,Never smoked tobacco,," in csv_text  # smoking status, never smoked
    assert ",1082641000000106,Alcohol units consumed per week,6,units/week" in csv_text
    me.check_the_page("the register updates page with a file")
