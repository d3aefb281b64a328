"""Practice staff import their SMI register, then a file holding only part of it: the page shows what the import
would do and asks first; the same file selected again imports it (issue 9, item 16). With JavaScript on, so the
upload goes through the progress bar's request.

Every page reached is checked with axe-core (WCAG 2.2 A and AA) and for Content Security Policy refusals.
"""

import pytest

from joinedup.healthchecks.models import RegisterEntry
from joinedup.healthchecks.tests.helpers import register_file, row

pytestmark = pytest.mark.browser


def _choose(page, content: bytes):
    page.set_input_files("#id_file", files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": content}])


def test_a_partial_register_asks_before_people_leave(open_browser, personas, practice):
    me = open_browser()
    page = me.page
    me.sign_in_as("test.gp_practice_staff")
    code = practice.ods_code

    page.goto("/health-checks/registers/upload/")
    _choose(page, register_file(code, [row(code, i) for i in range(10)]).getvalue())
    page.get_by_role("button", name="Import register").click()
    page.get_by_role("heading", name="Register import").wait_for()

    page.goto("/health-checks/registers/upload/")
    partial = register_file(code, [row(code, 0), row(code, 1)]).getvalue()
    _choose(page, partial)
    page.get_by_role("button", name="Import register").click()
    page.get_by_text("Nothing has been imported yet").wait_for()
    assert "Would leave the register" in page.inner_text("#leave-check")
    me.check_the_page("the upload page asking before people leave")
    assert RegisterEntry.objects.filter(left_on__isnull=False).count() == 0

    _choose(page, partial)
    page.get_by_role("button", name="Yes, import it and mark 8 people as having left").click()
    page.get_by_role("heading", name="Register import").wait_for()
    me.check_the_page("the import result page")
    assert RegisterEntry.objects.filter(left_on__isnull=False).count() == 8
