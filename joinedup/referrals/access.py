"""A request to an EMDT gives the receiving team a relationship with the person (within consent).

The practitioner who made the request keeps seeing the person through their own relationship (their PCN,
their care team): the request itself gives them nothing more.
"""

from django.db.models import Q

from joinedup.core.access import relationship
from joinedup.directory.models import TeamKind


@relationship("request to my EMDT")
def emdt_request(user, membership):
    from .models import EmdtRequest

    if membership.team.kind != TeamKind.EMDT:
        return None
    return Q(pk__in=EmdtRequest.objects.filter(team_id=membership.team_id).values("person_id"))
