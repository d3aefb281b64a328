"""A commissioner opens the SMI health check report from their start page, narrows it to one PCN, reads a chart's
figures, downloads a table as a spreadsheet, and opens last month's frozen PDF from the list of monthly reports.
Every page is checked with axe-core and for CSP refusals."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from joinedup.healthchecks.registers import import_register
from joinedup.healthchecks.tests.helpers import register_file, row

pytestmark = pytest.mark.browser


def test_commissioner_reads_and_downloads_the_smi_report(open_browser, practice, hc_check):
    rows = [row(practice.ods_code, 0, family="Ashworth", given="Zoë", dob="1984-03-15")]
    rows += [row(practice.ods_code, n) for n in range(1, 15)]
    assert import_register(register_file(practice.ods_code, rows), filename="register.csv").rejected == 0
    from joinedup.reporting.monthly import first_working_day, make_due_monthly_reports

    today = timezone.localdate()
    on = max(today, first_working_day(today))
    made = make_due_monthly_reports(timezone.make_aware(dt.datetime.combine(on, dt.time(7))), areas=["icb"])
    month_name = made[0].month.strftime("%B %Y")

    me = open_browser()
    page = me.page
    me.sign_in_as("test.commissioner")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    me.check_the_page("the commissioner's start page")

    page.get_by_role("link", name="SMI physical health checks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SMI physical health checks")
    me.check_the_page("the SMI report")

    page.get_by_label("Area", exact=True).select_option(f"pcn:{practice.pcn.code}")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.locator(".nhsuk-lede-text")).to_contain_text(practice.pcn.name)
    assert "Ashworth" not in page.content()
    me.check_the_page("the SMI report for one PCN")

    chart = page.get_by_role("img", name="Full check in the last 12 months (per cent of the register)")
    expect(chart).to_be_visible()
    page.get_by_text("Full check in the last 12 months (per cent of the register): the figures").click()
    expect(
        page.get_by_role("table", name="Full check in the last 12 months (per cent of the register), month by month")
    ).to_be_visible()
    me.check_the_page("the SMI report with a chart's figures open")

    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX spreadsheet of Month by month").click()
    with open(download.value.path(), "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    stamp = {r[0].value: r[1].value for r in sheet.iter_rows(max_row=6)}
    assert stamp["Report"] == "SMI physical health checks" and practice.pcn.name in stamp["Area"]

    page.get_by_role("link", name="Reports", exact=True).first.click()
    page.get_by_role("link", name="the monthly reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly reports")
    me.check_the_page("the list of monthly reports")
    link = page.get_by_role("link", name=f"PDF of {made[0].area_title}, {month_name}")
    expect(link).to_be_visible()
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
