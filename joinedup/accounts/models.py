from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from joinedup.directory.models import OrganisationKind

from .roles import PEER_SUPPORT_ROLES, ROLE_PERMISSIONS, ConsentKind, Role


class User(AbstractUser):
    """A member of staff. What they may do comes from their memberships (team + role)."""

    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    # Their NHS Care Identity Service 2 user id (the `sub` of the CIS2 ID token): set by an administrator, so a
    # CIS2 sign-in finds exactly this account and never makes one.
    cis2_uid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Each administrator's change raises it: a change made from a page opened before someone else's is refused.
    version = models.PositiveIntegerField(default=0)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def active_memberships(self):
        return list(
            self.memberships.filter(ended__isnull=True).select_related(
                "team__organisation", "team__practice", "team__pcn", "team__locality"
            )
        )

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.active_memberships)

    @cached_property
    def permissions(self) -> frozenset[str]:
        return frozenset().union(*(ROLE_PERMISSIONS[r] for r in self.roles)) if self.roles else frozenset()

    @property
    def is_verified_or_skipped(self) -> bool:
        """Signed in with both factors (or the demo/test setting that skips the second is on)."""
        if settings.SKIP_SECOND_FACTOR or getattr(self, "signed_in_with_cis2", False):
            return True  # CIS2 itself needs a strong second factor (authentication assurance level 3)
        is_verified = getattr(self, "is_verified", None)
        return bool(is_verified and is_verified())

    @property
    def primary_membership(self):
        return self.active_memberships[0] if self.active_memberships else None

    @property
    def primary_organisation(self):
        m = self.primary_membership
        return m.team.organisation if m else None


class Membership(models.Model):
    """A user's role in a team. A user may hold several, in several organisations."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey("directory.Team", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)
    started = models.DateField(default=timezone.localdate)
    ended = models.DateField(null=True, blank=True)
    # The planned last day (a fixed-term post, a secondment): the access review ends it once it has passed.
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "role"],
                condition=models.Q(ended__isnull=True),
                name="one_active_membership_per_team_role",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.team}"

    @property
    def consent_kind(self) -> str:
        """Which of the person's consents this membership's access depends on."""
        if self.role in PEER_SUPPORT_ROLES:
            return ConsentKind.PEER_SUPPORT
        kind = self.team.organisation.kind
        if kind == OrganisationKind.LOCAL_AUTHORITY:
            return ConsentKind.LOCAL_AUTHORITY
        if kind in (OrganisationKind.VCFSE, OrganisationKind.HEALTHWATCH):
            return ConsentKind.VCFSE
        return ConsentKind.NHS


class EnrolmentCode(models.Model):
    """A one-time code an administrator gives a member of staff to set up their authenticator app.

    A password alone never lets anyone set up the second factor: the first set-up (and a replacement after a
    lost phone) needs this code too. Only a hash is kept; the code is shown once, when it is issued. It works
    once, until it expires, and issuing a new one withdraws any earlier one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=255)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.withdrawn_at is None and self.expires_at > now
