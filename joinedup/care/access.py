"""The care team relationship: everyone on a person's care team may see their record (within consent)."""

from django.db.models import Q

from joinedup.core.access import relationship


@relationship("care team")
def care_team(user, membership):
    from .models import CareTeamMember

    return Q(
        pk__in=CareTeamMember.objects.filter(
            user=user, ended__isnull=True, organisation_id=membership.team.organisation_id
        ).values("person_id")
    )
