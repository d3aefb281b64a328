"""Relationships the person's record itself gives: their practice, their PCN, emergency access."""

from django.db.models import Q
from django.utils import timezone

from joinedup.core.access import relationship
from joinedup.directory.models import TeamKind


@relationship("registered practice", needs_consent=False)
def practice_team(user, membership):
    # The person's own GP practice holds their record; no sharing consent is involved.
    if membership.team.kind == TeamKind.PRACTICE and membership.team.practice_id:
        return Q(practice_id=membership.team.practice_id)
    return None


@relationship("primary care network", needs_consent=False)
def pcn_team(user, membership):
    # PCN mental health practitioners work for the network's practices as part of primary care.
    if membership.team.kind == TeamKind.PCN_MENTAL_HEALTH and membership.team.pcn_id:
        return Q(practice__pcn_id=membership.team.pcn_id)
    return None


@relationship("emergency access", needs_consent=False, per_user=True)
def emergency_access(user, membership):
    from .models import EmergencyAccess

    return Q(pk__in=EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now()).values("person_id"))
