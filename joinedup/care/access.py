"""The care team relationship: everyone on a person's care team may see their record (within consent).

It is held by name, so it follows a person who moves to another region until the membership is ended: the old
region's care team keep what it gives while it is open (core/access.py, docs/regions.md)."""

from django.db.models import Q

from joinedup.core.access import relationship


@relationship("care team", within_region=False)
def care_team(user, memberships):
    from .models import CareTeamMember

    organisations = sorted({m.team.organisation_id for m in memberships})
    return Q(
        pk__in=CareTeamMember.objects.filter(user=user, ended__isnull=True, organisation_id__in=organisations).values(
            "person_id"
        )
    )
