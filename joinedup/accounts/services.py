"""Staff accounts, their memberships and their second factor: used by administrators, the demo seed and tests."""

import datetime as dt
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record

from .models import EnrolmentCode, Membership, User
from .roles import Perm, Role

ENROLMENT_CODE_LIFETIME = dt.timedelta(hours=72)
# 12 characters from 32 that cannot be mistaken for one another (no 0/O, 1/I): 60 bits, shown as ABCD-EFGH-JKMN.
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ENROLMENT_CODE_LENGTH = 12


@transaction.atomic
def staff_create(
    *,
    username,
    first_name,
    last_name,
    memberships,
    email="",
    job_title="",
    phone="",
    password=None,
    allow_no_membership=False,
) -> User:
    """`memberships` is a list of (team, role). A user without a password cannot sign in until one is set.
    `allow_no_membership`: the caller adds the first membership itself, with its dates (staff administration)."""
    if not memberships and not allow_no_membership:
        raise ValidationError("A member of staff needs at least one team and role")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        phone=phone,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    for team, role in memberships:
        if role not in Role.values:
            raise ValidationError(f"Unknown role {role!r}")
        Membership.objects.create(user=user, team=team, role=role)
    return user


@transaction.atomic
def membership_add(*, user, team, role, started=None, ends_on=None) -> Membership:
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}")
    started = started or timezone.localdate()
    if ends_on is not None and ends_on < started:
        raise ValidationError({"ends_on": "The end date must be on or after the start date"})
    membership = Membership.objects.create(user=user, team=team, role=role, started=started, ends_on=ends_on)
    user_forget_memberships(user)
    return membership


def user_forget_memberships(user) -> None:
    """Drop what this request knows of the user's memberships (they just changed)."""
    for name in ("active_memberships", "roles", "permissions"):
        user.__dict__.pop(name, None)


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@transaction.atomic
def enrolment_code_issue(*, by, user, replace_device=False, request=None) -> tuple[str, EnrolmentCode]:
    """Issue `user` a one-time code to set up their authenticator app; returns the code (shown once) and its row.

    `by` is the administrator, or None for an operator at the command line. A user who already has an
    authenticator app gets a code only with `replace_device` (a lost or new phone): their app is removed, so
    their next sign-in needs the new code. Any earlier unused code is withdrawn."""
    if by is not None and not may(by, Perm.MANAGE_USERS):
        raise PermissionDenied("Only an administrator can issue set-up codes")
    if not user.is_active:
        raise ValidationError("This account is not active")
    devices = TOTPDevice.objects.filter(user=user)
    has_app = devices.filter(confirmed=True).exists()
    if has_app and not replace_device:
        raise ValidationError(
            {"replace_device": f"{user} already has an authenticator app. Tick the box only if they have lost it."}
        )
    devices.delete()
    now = timezone.now()
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True, withdrawn_at__isnull=True).update(withdrawn_at=now)
    code = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    issued = EnrolmentCode.objects.create(
        user=user,
        code_hash=make_password(code),
        issued_by=by,
        issued_at=now,
        expires_at=now + ENROLMENT_CODE_LIFETIME,
    )
    reason = f"for {user.get_username()}" + ("; their authenticator app was removed" if has_app else "")
    if by is None:
        reason += "; issued at the command line"
    audit_record(
        by=by, action=AuditAction.CREATE, what="second factor set-up code", obj=issued, reason=reason, request=request
    )
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4)), issued


def enrolment_code_find(*, user, code) -> EnrolmentCode | None:
    """The user's live (unused, not withdrawn, unexpired) set-up code that `code` matches, if any."""
    typed = _normalise_code(code)
    if len(typed) != ENROLMENT_CODE_LENGTH:
        return None
    live = EnrolmentCode.objects.filter(
        user=user, used_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now()
    )
    return next((c for c in live if check_password(typed, c.code_hash)), None)


@transaction.atomic
def second_factor_start(*, user, code) -> tuple[TOTPDevice, EnrolmentCode]:
    """A live set-up code was given: a new, unconfirmed authenticator for `user` (its key is shown only now).
    The code is used up only when the app's first security code confirms the authenticator."""
    live = enrolment_code_find(user=user, code=code)
    if live is None:
        raise ValidationError({"enrolment_code": "The set-up code is not right, has been used or has expired"})
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False), live


@transaction.atomic
def second_factor_enrol(*, user, enrolment_code_id, device, request=None) -> TOTPDevice:
    """The first security code from the new app was right: confirm it and use up the set-up code, together."""
    code = EnrolmentCode.objects.select_for_update().filter(pk=enrolment_code_id, user=user).first()
    if code is None or not code.is_live() or device.user_id != user.pk or device.confirmed:
        raise ValidationError("The set-up code has been used or has expired: ask your administrator for a new one")
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        by=user,
        action=AuditAction.UPDATE,
        what="second factor set up with a set-up code",
        obj=code,
        reason=f"authenticator app confirmed for {user.get_username()}",
        request=request,
    )
    return device
