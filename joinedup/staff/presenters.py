"""What the staff pages show about an account and its memberships."""

from django.urls import reverse

from . import scope


def _date(day):
    return f"{day.day} {day:%B %Y}" if day else ""


def first_sign_in(user) -> str:
    if user.cis2_uid:
        return "They sign in with NHS CIS2."
    return "Issue them a set-up code (Reset their second factor) and a password to sign in."


class StaffRow:
    def __init__(self, user):
        self.user = user
        self.pk = user.pk
        self.name = user.get_full_name() or user.username
        self.username = user.username
        self.job_title = user.job_title
        self.email = user.email
        self.cis2_uid = user.cis2_uid or ""
        self.version = user.version
        self.is_active = user.is_active
        self.url = reverse("staff:member", args=[user.pk])
        current = getattr(user, "current_memberships", None)
        if current is None:
            current = list(user.memberships.filter(ended__isnull=True).select_related("team"))
        self.teams = "; ".join(f"{m.get_role_display()}, {m.team.name}" for m in current) or "No current team"

    @property
    def status(self) -> dict:
        if not self.is_active:
            left = f" on {_date(self.user.left_on)}" if self.user.left_on else ""
            return {"text": "Left" + left, "classes": "nhsuk-tag--grey"}
        return {"text": "Active", "classes": "nhsuk-tag--green"}

    @property
    def sign_in_kind(self) -> str:
        return f"NHS CIS2 (user id {self.cis2_uid})" if self.cis2_uid else "Password and authenticator app"

    @property
    def last_sign_in(self) -> str:
        last = self.user.last_login
        return f"{last.day} {last:%B %Y %H:%M}" if last else "Never"


class MembershipRow:
    def __init__(self, membership, admin):
        self.role = membership.get_role_display()
        self.team = membership.team.name
        self.organisation = membership.team.organisation.name
        self.started = _date(membership.started)
        self.ends_on = _date(membership.ends_on)
        self.ended = _date(membership.ended)
        self.current = membership.ended is None
        self.in_scope = scope.may_run_team(admin, membership.team)
