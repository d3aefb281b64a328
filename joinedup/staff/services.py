"""Joiners, movers and leavers: every change an administrator makes to a staff account.

Each function is one transaction, takes the acting administrator (`by`; None for the access review's scheduled
job), refuses anything outside their organisation (scope.py) and any change to their own account, checks the
account has not changed since the page was opened (`version`), and records the change with its reason in the
audit trail.
"""

import datetime as dt

from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from joinedup.accounts.models import Membership, User
from joinedup.accounts.roles import Perm, Role
from joinedup.accounts.services import enrolment_code_issue, membership_add, staff_create, user_forget_memberships
from joinedup.core.access import forget, may
from joinedup.core.audit import AuditAction, audit_record

from . import scope
from .models import AccountEnding

WHAT = "staff account"


class ChangedMeanwhile(ValidationError):
    """Another administrator changed the account after this page was opened: nothing was saved."""

    def __init__(self):
        super().__init__(
            "Another administrator changed this account after you opened this page, so your change was not saved. "
            "Check the account as it is now and make your change again if it is still needed."
        )


def _require_admin(by, user=None):
    if not may(by, Perm.MANAGE_USERS):
        raise PermissionDenied("Only an administrator can change staff accounts")
    if user is not None:
        if user.pk == by.pk:
            raise PermissionDenied("You cannot change your own account, roles or teams: ask another administrator")
        if not scope.may_run_user(by, user):
            raise PermissionDenied(f"{user} does not work for an organisation you administer")


def _reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the change"})
    if len(reason) > 500:
        raise ValidationError({"reason": "The reason must be 500 characters or fewer"})
    return reason


def _lock(user, version) -> User:
    """The account, locked for this change; refused when its version is not the one the page was opened with."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if version is not None and locked.version != version:
        raise ChangedMeanwhile()
    return locked


def _bump(user) -> None:
    User.objects.filter(pk=user.pk).update(version=user.version + 1)
    user.version += 1
    user_forget_memberships(user)
    forget(user)


def _audit(by, user, what, reason, request=None, action=AuditAction.UPDATE):
    audit_record(by=by, action=action, what=f"{WHAT}: {what}", obj=user, reason=reason, request=request)


def _check_role(by, role) -> str:
    if role not in Role.values:
        raise ValidationError({"role": "Select a role"})
    return role


def _check_dates(started, ends_on, today=None):
    today = today or timezone.localdate()
    if started and started > today:
        raise ValidationError(
            {"started": "The start date must be today or in the past: add the team on their first day"}
        )
    if ends_on and ends_on < (started or today):
        raise ValidationError({"ends_on": "The end date must be on or after the start date"})


@transaction.atomic
def staff_join(
    *,
    by,
    username,
    first_name,
    last_name,
    team,
    role,
    reason,
    email="",
    job_title="",
    phone="",
    cis2_uid="",
    started=None,
    ends_on=None,
    request=None,
) -> User:
    """A new member of staff, with their first team and role. They sign in with CIS2 (when `cis2_uid` is given)
    or set a password and authenticator app with the set-up code an administrator issues them."""
    _require_admin(by)
    reason = _reason(reason)
    scope.require_team(by, team)
    _check_role(by, role)
    started = started or timezone.localdate()
    _check_dates(started, ends_on)
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "There is already a member of staff with that user name"})
    cis2_uid = (cis2_uid or "").strip() or None
    if cis2_uid and User.objects.filter(cis2_uid=cis2_uid).exists():
        raise ValidationError({"cis2_uid": "Another account already has that CIS2 user id"})
    user = staff_create(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        phone=phone,
        memberships=[],
        allow_no_membership=True,
    )
    if cis2_uid:
        User.objects.filter(pk=user.pk).update(cis2_uid=cis2_uid)
        user.cis2_uid = cis2_uid
    membership_add(user=user, team=team, role=role, started=started, ends_on=ends_on)
    _audit(
        by,
        user,
        "created",
        f"{reason} ({Role(role).label}, {team}, from {started:%d %B %Y})",
        request,
        action=AuditAction.CREATE,
    )
    return user


@transaction.atomic
def staff_details_change(
    *, by, user, version, reason, first_name, last_name, email="", job_title="", phone="", cis2_uid="", request=None
) -> User:
    _require_admin(by, user)
    reason = _reason(reason)
    user = _lock(user, version)
    cis2_uid = (cis2_uid or "").strip() or None
    if cis2_uid and User.objects.filter(cis2_uid=cis2_uid).exclude(pk=user.pk).exists():
        raise ValidationError({"cis2_uid": "Another account already has that CIS2 user id"})
    changed = []
    for field, value in (
        ("first_name", first_name),
        ("last_name", last_name),
        ("email", email),
        ("job_title", job_title),
        ("phone", phone),
        ("cis2_uid", cis2_uid),
    ):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field.replace("_", " ").replace("cis2 uid", "CIS2 user id"))
    if not changed:
        return user
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=["first_name", "last_name", "email", "job_title", "phone", "cis2_uid"])
    _bump(user)
    _audit(by, user, "details changed", f"{reason} (changed: {', '.join(changed)})", request)
    return user


@transaction.atomic
def membership_grant(*, by, user, version, team, role, reason, started=None, ends_on=None, request=None) -> Membership:
    """Add a role in a team (a second post, a new role in the same team)."""
    _require_admin(by, user)
    reason = _reason(reason)
    scope.require_team(by, team)
    _check_role(by, role)
    started = started or timezone.localdate()
    _check_dates(started, ends_on)
    user = _lock(user, version)
    if not user.is_active:
        raise ValidationError("This account has ended: a leaver cannot be given a role")
    if Membership.objects.filter(user=user, team=team, role=role, ended__isnull=True).exists():
        raise ValidationError({"role": f"{user} is already {Role(role).label} in {team}"})
    membership = membership_add(user=user, team=team, role=role, started=started, ends_on=ends_on)
    _bump(user)
    _audit(by, user, "role given", f"{reason} ({Role(role).label}, {team}, from {started:%d %B %Y})", request)
    return membership


def _end_membership(membership, on):
    membership.ended = on
    membership.save(update_fields=["ended"])


def _own_membership(user, membership_id) -> Membership:
    membership = Membership.objects.select_related("team__organisation").filter(pk=membership_id, user=user).first()
    if membership is None or membership.ended is not None:
        raise ValidationError({"membership": "Select one of their current teams"})
    return membership


@transaction.atomic
def membership_end(*, by, user, version, membership_id, reason, request=None) -> Membership:
    _require_admin(by, user)
    reason = _reason(reason)
    user = _lock(user, version)
    membership = _own_membership(user, membership_id)
    scope.require_team(by, membership.team)
    if Membership.objects.filter(user=user, ended__isnull=True).count() == 1:
        raise ValidationError(
            {"membership": "This is their last team: to take away all their access, end their account instead"}
        )
    _end_membership(membership, timezone.localdate())
    _bump(user)
    _audit(by, user, "role ended", f"{reason} ({membership.get_role_display()}, {membership.team})", request)
    return membership


@transaction.atomic
def membership_dates_change(*, by, user, version, membership_id, ends_on, reason, request=None) -> Membership:
    """Set (or clear) the planned last day of a membership: the access review ends it once that day has passed."""
    _require_admin(by, user)
    reason = _reason(reason)
    user = _lock(user, version)
    membership = _own_membership(user, membership_id)
    scope.require_team(by, membership.team)
    _check_dates(membership.started, ends_on)
    membership.ends_on = ends_on
    membership.save(update_fields=["ends_on"])
    _bump(user)
    until = f"until {ends_on:%d %B %Y}" if ends_on else "with no end date"
    _audit(by, user, "role end date set", f"{reason} ({membership.get_role_display()}, {membership.team}, {until})")
    return membership


@transaction.atomic
def staff_move(*, by, user, version, membership_id, to_team, reason, request=None) -> Membership:
    """Move someone from one team to another in the same role: the old membership ends today, the new one starts
    today, so their access follows the move at once."""
    _require_admin(by, user)
    reason = _reason(reason)
    user = _lock(user, version)
    membership = _own_membership(user, membership_id)
    scope.require_team(by, membership.team)
    scope.require_team(by, to_team)
    if to_team.pk == membership.team_id:
        raise ValidationError({"to_team": f"They are already in {to_team}"})
    if Membership.objects.filter(user=user, team=to_team, role=membership.role, ended__isnull=True).exists():
        raise ValidationError({"to_team": f"They are already {membership.get_role_display()} in {to_team}"})
    today = timezone.localdate()
    _end_membership(membership, today)
    moved = membership_add(user=user, team=to_team, role=membership.role, started=today, ends_on=membership.ends_on)
    _bump(user)
    _audit(
        by,
        user,
        "moved team",
        f"{reason} ({membership.get_role_display()}: from {membership.team} to {to_team})",
        request,
    )
    return moved


def end_sessions(user) -> int:
    """End every signed-in session of this user now (their next request is a stranger's)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def _open_tasks(user) -> list[dict]:
    from joinedup.core.tasks import tasks_for

    return [
        {
            "source": t.source,
            "description": t.description,
            "due": t.due.isoformat() if t.due else "",
            "link": t.link,
            "person_label": t.person_label,
            "person_id": t.person_id,
        }
        for t in tasks_for(user)
    ]


def _end_account(*, by, user, reason, request=None) -> AccountEnding:
    today = timezone.localdate()
    open_tasks = _open_tasks(user)  # read while they still have their access: the sources scope by it
    for membership in Membership.objects.filter(user=user, ended__isnull=True):
        _end_membership(membership, today)
    user.is_active = False
    user.left_on = today
    user.set_unusable_password()  # changes the session hash too: no session of theirs is accepted again
    user.save(update_fields=["is_active", "left_on", "password"])
    TOTPDevice.objects.filter(user=user).delete()
    ending = AccountEnding.objects.create(user=user, by=by, reason=reason, open_tasks=open_tasks)
    sessions = end_sessions(user)
    _bump(user)
    _audit(
        by,
        user,
        "account ended",
        f"{reason} ({len(open_tasks)} open task(s) listed for handing over; {sessions} session(s) ended)",
        request,
    )
    return ending


@transaction.atomic
def account_end(*, by, user, version, reason, request=None) -> AccountEnding:
    """A leaver: their account ends now. Every membership ends, their sessions end at once, and their open tasks
    are kept on the ending for handing over; their key-worker caseload stays theirs until it is handed over."""
    _require_admin(by, user)
    reason = _reason(reason)
    user = _lock(user, version)
    if not user.is_active:
        raise ValidationError("This account has already ended")
    elsewhere = [
        m for m in Membership.objects.filter(user=user, ended__isnull=True) if not scope.may_run_team(by, m.team)
    ]
    if elsewhere:
        names = ", ".join(sorted({m.team.organisation.name for m in elsewhere}))
        raise ValidationError(
            f"They also work for {names}: end only your organisation's teams, or ask an administrator there"
        )
    return _end_account(by=by, user=user, reason=reason, request=request)


@transaction.atomic
def second_factor_reset(*, by, user, version, reason, request=None) -> tuple[str, object]:
    """A lost or new phone: their authenticator app is removed and a one-time set-up code issued (shown once)."""
    _require_admin(by, user)
    reason = _reason(reason)
    user = _lock(user, version)
    code, issued = enrolment_code_issue(by=by, user=user, replace_device=True, request=request)
    _bump(user)
    _audit(by, user, "second factor reset", reason, request)
    return code, issued


def is_locked_out(user) -> bool:
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(
        username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).exists()


@transaction.atomic
def account_unlock(*, by, user, version, reason, request=None) -> int:
    """Clear the failed sign-ins that locked the account, so they can try again at once."""
    from axes.utils import reset

    _require_admin(by, user)
    reason = _reason(reason)
    user = _lock(user, version)
    cleared = reset(username=user.username)
    _bump(user)
    _audit(by, user, "unlocked", f"{reason} ({cleared} failed sign-in record(s) cleared)", request)
    return cleared


# The access review -------------------------------------------------------------------------------------------

UNUSED_DAYS = 90


def unused_accounts(now=None):
    """Active accounts nobody has signed in to for 90 days (or, never used, made more than 90 days ago)."""
    from django.db.models import Q

    cutoff = (now or timezone.now()) - dt.timedelta(days=UNUSED_DAYS)
    # A FHIR system client's service account never signs in through the pages: its tokens are its use.
    return (
        User.objects.filter(is_active=True, fhir_client__isnull=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .order_by("last_login", "last_name", "first_name")
    )


def memberships_past_end(today=None):
    today = today or timezone.localdate()
    return (
        Membership.objects.filter(ended__isnull=True, ends_on__lt=today)
        .select_related("user", "team__organisation")
        .order_by("ends_on", "id")
    )


@transaction.atomic
def access_review_run(*, now=None) -> dict:
    """The scheduled access review: ends each account unused for 90 days and each membership past its end date,
    each audited with why, and tells each organisation's inbox what was ended. Safe to run again."""
    from joinedup.inbox.services import inbox_send

    now = now or timezone.now()
    today = timezone.localdate(now)
    done = {"accounts": [], "memberships": []}
    for membership in memberships_past_end(today):
        user = membership.user
        _end_membership(membership, today)
        reason = f"Access review: the end date of this role ({membership.ends_on:%d %B %Y}) has passed"
        _audit(None, user, "role ended", f"{reason} ({membership.get_role_display()}, {membership.team})")
        done["memberships"].append(membership)
        if not Membership.objects.filter(user=user, ended__isnull=True).exists() and user.is_active:
            _end_account(by=None, user=user, reason="Access review: their last role has ended")
            done["accounts"].append(user)
        else:
            _bump(user)
            end_sessions(user)  # a session carries no roles, but start again from what they hold now
    for user in unused_accounts(now):
        _end_account(by=None, user=user, reason=f"Access review: not signed in for {UNUSED_DAYS} days")
        done["accounts"].append(user)
    told = {}
    for membership in done["memberships"]:
        told.setdefault(membership.team.organisation, []).append(
            f"{membership.user}'s role as {membership.get_role_display()} in {membership.team}"
        )
    for user in done["accounts"]:
        last = Membership.objects.filter(user=user).select_related("team__organisation").order_by("-ended").first()
        if last is not None:
            told.setdefault(last.team.organisation, []).append(f"{user}'s account")
    for organisation, ended in told.items():
        inbox_send(
            kind="access_review",
            source="Access review",
            why=("The access review ended: " + "; ".join(ended))[:500],
            to_organisation=organisation,
            link="/staff/access-review/",
            key=f"access_review:{organisation.pk}:{now.isoformat()}",
        )
    return done


# Handing over a leaver's people --------------------------------------------------------------------------------


@transaction.atomic
def caseload_hand_over(*, by, leaver, person_ids, to_user, reason, handover_note, request=None) -> int:
    """Name `to_user` as the new key worker of each of these people of the leaver's caseload, through key working's
    own service (the person is told, the change is on their timeline and in the audit trail)."""
    from joinedup.care.services import key_worker_assign

    from .queries import key_worker_caseload_of, key_worker_choices

    _require_admin(by)
    if not scope.may_run_user(by, leaver):
        raise PermissionDenied(f"{leaver} does not work for an organisation you administer")
    if leaver.is_active:
        raise ValidationError("Their account has not ended: their team hands their people over while they are here")
    reason = _reason(reason)
    if to_user is None or to_user.pk not in {u.pk for u in key_worker_choices(by=by)}:
        raise ValidationError({"to_user": "Select a member of staff who holds a caseload in your organisation"})
    chosen = {int(pk) for pk in person_ids}
    caseload = [m for m in key_worker_caseload_of(leaver=leaver) if m.person_id in chosen]
    if not caseload:
        raise ValidationError({"people": "Select at least one person to hand over"})
    for member in caseload:
        key_worker_assign(
            by=by,
            person=member.person,
            user=to_user,
            reason=f"{leaver} has left: {reason}",
            handover_note=handover_note or f"Handed over when {leaver} left",
        )
    return len(caseload)
