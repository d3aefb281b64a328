"""Which areas' figures a user may read: who sees what in the reports.

- Commissioners and analysts (`Perm.VIEW_AGGREGATES`): every area of the ICB.
- Everyone else with `Perm.VIEW_REPORTS` (practice staff, PCN MHPs, EMDT coordinators, outreach workers, senior
  peer support workers): the areas of the teams they are active members of, for a role that carries the
  permission: a practice team's practice, a PCN team's PCN, an EMDT or community team's locality, an outreach
  team's provider (the localities its organisation covers). They may also narrow to any area inside those (a
  PCN lead to one of its practices). Their own people they reach only through the pages the access policy
  grants; the reports name no one.

An area outside a user's scope is answered as if it did not exist (404), and audited by the view.
"""

from dataclasses import dataclass

from joinedup.accounts.roles import ROLE_PERMISSIONS, Perm
from joinedup.core.access import may
from joinedup.directory.models import OutreachCoverage

from .filters import PROVIDER


@dataclass(frozen=True)
class Scope:
    everything: bool
    area_keys: tuple[str, ...]  # the user's own areas, first is the default ("icb" for everything)
    practice_ids: frozenset[int]

    def allows(self, practice_ids) -> bool:
        return self.everything or (bool(practice_ids) and set(practice_ids) <= self.practice_ids)

    @property
    def default_area(self) -> str | None:
        return self.area_keys[0] if self.area_keys else None


def _team_area(team) -> tuple[str, str] | None:
    """(level, code) of the area a team is attached to."""
    if team.practice_id:
        return ("practice", team.practice.ods_code)
    if team.pcn_id:
        return ("pcn", team.pcn.code)
    if team.locality_id:
        return ("locality", team.locality.code)
    if OutreachCoverage.objects.filter(provider_id=team.organisation_id).exists():
        return (PROVIDER, team.organisation.code)
    return None


def scope_for(user, geography) -> Scope:
    if may(user, Perm.VIEW_AGGREGATES):
        return Scope(True, ("icb",), frozenset(geography))
    keys, practices = [], set()
    memberships = user.memberships.filter(ended__isnull=True).select_related(
        "team__practice", "team__pcn", "team__locality", "team__organisation"
    )
    for m in memberships:
        if Perm.VIEW_REPORTS not in ROLE_PERMISSIONS.get(m.role, ()):
            continue
        place = _team_area(m.team)
        if place is None:
            continue
        level, code = place
        key = f"{level}:{code}"
        if key not in keys:
            keys.append(key)
            practices |= {pk for pk, places in geography.items() if places[level][0] == code}
    return Scope(False, tuple(keys), frozenset(practices))
