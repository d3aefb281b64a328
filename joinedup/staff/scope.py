"""Which staff an administrator may run: those of their own organisation, or their whole region for an ICB-wide one.

An administrator is ICB-wide when they hold the administrator role in a team of the integrated care board itself
(the organisation whose code is the region's code, e.g. QE1): they run every organisation with a team in their
region(s), and no other region's (docs/regions.md). Everyone else administers the organisations of the teams they
hold the administrator role in. Scope follows active memberships, so it ends when theirs does.
"""

from django.core.exceptions import PermissionDenied

from joinedup.accounts.roles import Perm, Role
from joinedup.core.access import may, user_regions
from joinedup.directory.models import Organisation, Region, Team


def _admin_memberships(admin):
    if not (admin.is_authenticated and admin.is_active and may(admin, Perm.MANAGE_USERS)):
        return []
    return [m for m in admin.active_memberships if m.role == Role.ADMINISTRATOR]


def is_icb_wide(admin) -> bool:
    codes = {m.team.organisation.code for m in _admin_memberships(admin)}
    return bool(codes) and Region.objects.filter(code__in=codes).exists()


def organisation_ids(admin) -> set[int] | None:
    """The organisations this administrator runs (ICB-wide: those with a team in their regions). Worked out once
    per request."""
    cached = admin.__dict__.get("_joinedup_administers", False)
    if cached is not False:
        return cached
    if is_icb_wide(admin):
        regions = sorted(user_regions(admin))
        ids = set(Team.objects.filter(region_id__in=regions).values_list("organisation_id", flat=True))
    else:
        ids = {m.team.organisation_id for m in _admin_memberships(admin)}
    admin.__dict__["_joinedup_administers"] = ids
    return ids


def organisations(admin):
    ids = organisation_ids(admin)
    return Organisation.objects.all() if ids is None else Organisation.objects.filter(pk__in=ids)


def teams(admin):
    ids = organisation_ids(admin)
    found = Team.objects.select_related("organisation")
    return found if ids is None else found.filter(organisation_id__in=ids)


def may_run_team(admin, team) -> bool:
    ids = organisation_ids(admin)
    return ids is None or team.organisation_id in ids


def require_team(admin, team) -> None:
    if not may_run_team(admin, team):
        raise PermissionDenied(f"{team} is not in an organisation you administer")


def may_run_user(admin, user) -> bool:
    """A member of staff is the administrator's to run when any of their memberships, past or present, is in an
    organisation the administrator runs (a leaver's memberships are all ended, and still theirs to hand over)."""
    ids = organisation_ids(admin)
    if ids is None:
        return True
    return user.memberships.filter(team__organisation_id__in=ids).exists()
