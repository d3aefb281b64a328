"""Relationships the person's record itself gives: their practice, their PCN, emergency access."""

from django.db.models import Q
from django.utils import timezone

from joinedup.core.access import relationship
from joinedup.directory.models import TeamKind


@relationship("registered practice", needs_consent=False)
def practice_team(user, memberships):
    # The person's own GP practice holds their record; no sharing consent is involved.
    practices = sorted({m.team.practice_id for m in memberships if m.team.kind == TeamKind.PRACTICE} - {None})
    return Q(practice_id__in=practices) if practices else None


@relationship("primary care network", needs_consent=False)
def pcn_team(user, memberships):
    # PCN mental health practitioners work for the network's practices as part of primary care.
    pcns = sorted({m.team.pcn_id for m in memberships if m.team.kind == TeamKind.PCN_MENTAL_HEALTH} - {None})
    return Q(practice__pcn_id__in=pcns) if pcns else None


@relationship("emergency access", needs_consent=False, per_user=True)
def emergency_access(user, memberships):
    from .models import EmergencyAccess

    return Q(pk__in=EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now()).values("person_id"))
