"""The second factor: a password alone never sets up an authenticator app; an administrator's one-time set-up
code does, once, before it expires. Signed in through the pages with CSRF checks on, as a browser is."""

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from joinedup.accounts.models import EnrolmentCode
from joinedup.accounts.services import enrolment_code_find, enrolment_code_issue
from joinedup.core.models import AuditAction, AuditEvent

from .helpers import current_code, sign_in_with_csrf, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor_on")]
SECOND_FACTOR = "/account/second-factor/"
CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b")


@pytest.fixture
def second_factor_on():
    with override_settings(SKIP_SECOND_FACTOR=False):
        yield


def test_a_password_alone_cannot_set_up_an_authenticator_app(personas):
    # Someone who knows the password of an account with no authenticator app yet signs in
    intruder = sign_in_with_csrf("test.mhp")
    page = intruder.get(SECOND_FACTOR).content.decode()

    # They are asked for the administrator's set-up code, and shown no key to scan
    assert "Enter your set-up code" in page
    assert "data:image/svg" not in page and "Key:" not in page

    # Guesses, and a code from their own authenticator, are refused; nothing is set up
    for guess in ("ABCD-EFGH-JKMN", "123456", ""):
        response = submit(intruder, SECOND_FACTOR, {"enrolment_code": guess})
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas.mhp).exists()
    assert intruder.get("/people/")["Location"] == SECOND_FACTOR


def test_with_a_set_up_code_from_the_administrator_staff_set_up_their_app_once(personas):
    code, _ = enrolment_code_issue(by=personas.administrator, user=personas.mhp)

    # The member of staff signs in and types the code as they read it (lower case, spaces)
    me = sign_in_with_csrf("test.mhp")
    response = submit(me, SECOND_FACTOR, {"enrolment_code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    page = me.get(SECOND_FACTOR).content.decode()
    assert "Set up your authenticator app" in page and "data:image/svg" in page
    assert me.get("/people/")["Location"] == SECOND_FACTOR  # not yet

    # A wrong security code is refused; the one the app shows is accepted
    assert "security code is not right" in submit(me, SECOND_FACTOR, {"code": "000000"}).content.decode()
    device = TOTPDevice.objects.get(user=personas.mhp)
    assert submit(me, SECOND_FACTOR, {"code": current_code(device)}).status_code == 302
    assert me.get("/people/").status_code == 200

    # Issuing and using the code are both in the audit trail
    events = AuditEvent.objects.filter(what__startswith="second factor set")
    assert list(events.order_by("at").values_list("action", "user")) == [
        (AuditAction.CREATE, personas.administrator.pk),
        (AuditAction.UPDATE, personas.mhp.pk),
    ]

    # The code is used up: on the next sign-in the app's security code is asked for, not a set-up code
    again = sign_in_with_csrf("test.mhp")
    assert "Enter your security code" in again.get(SECOND_FACTOR).content.decode()
    assert enrolment_code_find(user=personas.mhp, code=code) is None


def test_a_set_up_code_works_only_for_the_member_of_staff_it_was_issued_to(personas):
    code, _ = enrolment_code_issue(by=personas.administrator, user=personas.mhp)
    other = sign_in_with_csrf("test.key_worker")
    assert "There is a problem" in submit(other, SECOND_FACTOR, {"enrolment_code": code}).content.decode()
    assert not TOTPDevice.objects.filter(user=personas.key_worker).exists()


def test_set_up_codes_are_stored_hashed_expire_and_a_new_one_withdraws_the_old(personas):
    first, row = enrolment_code_issue(by=personas.administrator, user=personas.mhp)
    assert first.replace("-", "") not in row.code_hash
    second, _ = enrolment_code_issue(by=personas.administrator, user=personas.mhp)
    assert enrolment_code_find(user=personas.mhp, code=first) is None
    assert enrolment_code_find(user=personas.mhp, code=second) is not None
    with time_machine.travel(timezone.now() + dt.timedelta(hours=73)):
        assert enrolment_code_find(user=personas.mhp, code=second) is None


def test_a_code_that_expires_between_scanning_and_confirming_is_refused(personas):
    code, _ = enrolment_code_issue(by=personas.administrator, user=personas.mhp)
    me = sign_in_with_csrf("test.mhp")
    submit(me, SECOND_FACTOR, {"enrolment_code": code})
    device = TOTPDevice.objects.get(user=personas.mhp)
    EnrolmentCode.objects.filter(user=personas.mhp).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    page = submit(me, SECOND_FACTOR, {"code": current_code(device)}, 'name="next"').content.decode()
    assert "Enter your set-up code" in page  # back to the first step
    device.refresh_from_db()
    assert not device.confirmed


def test_someone_with_an_app_gets_a_new_code_only_when_it_is_lost_and_then_the_old_app_stops_working(personas):
    TOTPDevice.objects.create(user=personas.mhp, name="Authenticator app", confirmed=True)
    with pytest.raises(ValidationError, match="already has an authenticator app"):
        enrolment_code_issue(by=personas.administrator, user=personas.mhp)
    enrolment_code_issue(by=personas.administrator, user=personas.mhp, replace_device=True)
    assert not TOTPDevice.objects.filter(user=personas.mhp).exists()
    assert "their authenticator app was removed" in AuditEvent.objects.get(what="second factor set-up code").reason


def test_only_administrators_issue_set_up_codes(personas):
    with pytest.raises(PermissionDenied):
        enrolment_code_issue(by=personas.mhp, user=personas.key_worker)


@override_settings(SKIP_SECOND_FACTOR=True)
def test_an_administrator_issues_a_set_up_code_on_the_set_up_codes_page(personas):
    admin = sign_in_with_csrf("test.administrator")
    assert "Set-up codes" in admin.get("/").content.decode()  # in the header's menu
    response = submit(admin, "/account/set-up-codes/", {"username": "test.mhp"})
    page = response.content.decode()
    assert response.status_code == 200 and "Set-up code issued" in page
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    code = CODE.search(page).group()
    assert enrolment_code_find(user=personas.mhp, code=code) is not None
    assert AuditEvent.objects.filter(what="second factor set-up code", user=personas.administrator).exists()

    unknown = submit(admin, "/account/set-up-codes/", {"username": "nobody"}).content.decode()
    assert "There is no active member of staff with that user name" in unknown


def test_operators_issue_a_set_up_code_at_the_command_line(personas):
    out = StringIO()
    call_command("issue_enrolment_code", "test.mhp", stdout=out)
    code = CODE.search(out.getvalue()).group()
    assert enrolment_code_find(user=personas.mhp, code=code) is not None
    event = AuditEvent.objects.get(what="second factor set-up code")
    assert event.username == "(system)" and "command line" in event.reason
