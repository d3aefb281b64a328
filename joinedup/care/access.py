"""The care team relationship: everyone on a person's care team may see their record (within consent)."""

from django.db.models import Q

from joinedup.core.access import relationship


@relationship("care team")
def care_team(user, memberships):
    from .models import CareTeamMember

    organisations = sorted({m.team.organisation_id for m in memberships})
    return Q(
        pk__in=CareTeamMember.objects.filter(user=user, ended__isnull=True, organisation_id__in=organisations).values(
            "person_id"
        )
    )
