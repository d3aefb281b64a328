"""A request to an EMDT gives the receiving team a relationship with the person (within consent).

The practitioner who made the request keeps seeing the person through their own relationship (their PCN,
their care team): the request itself gives them nothing more.
"""

from django.db.models import Q

from joinedup.core.access import relationship
from joinedup.directory.models import TeamKind


@relationship("request to my EMDT")
def emdt_request(user, memberships):
    from .models import EmdtRequest

    teams = sorted({m.team_id for m in memberships if m.team.kind == TeamKind.EMDT})
    if not teams:
        return None
    return Q(pk__in=EmdtRequest.objects.filter(team_id__in=teams).values("person_id"))
