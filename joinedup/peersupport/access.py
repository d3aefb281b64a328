"""Who in the peer support service has a relationship with a person.

A worker or volunteer sees only the people allocated to them; a senior also sees their supervisees'
caseloads and the referrals waiting in the localities they cover. The policy adds the person's consent to
share with the peer support service to every one of these (joinedup/core/access.py)."""

from django.db.models import Q

from joinedup.accounts.roles import PEER_SUPPORT_ROLES, Role
from joinedup.core.access import relationship
from joinedup.directory.models import TeamKind


def _peer_membership(memberships, roles=PEER_SUPPORT_ROLES) -> bool:
    return any(m.team.kind == TeamKind.PEER_SUPPORT and m.role in roles for m in memberships)


@relationship("allocated to me for peer support")
def allocated(user, memberships):
    from .models import Allocation

    if not _peer_membership(memberships):
        return None
    return Q(pk__in=Allocation.objects.filter(worker__user=user, ended__isnull=True).values("person_id"))


@relationship("allocated to someone I supervise")
def supervisees_caseload(user, memberships):
    from .models import Allocation

    if not _peer_membership(memberships, {Role.SENIOR_PEER_SUPPORT_WORKER}):
        return None
    return Q(pk__in=Allocation.objects.filter(worker__supervisor=user, ended__isnull=True).values("person_id"))


@relationship("waiting for peer support in my localities")
def waiting_referral(user, memberships):
    from .models import PeerReferral, ReferralStatus

    if not _peer_membership(memberships, {Role.SENIOR_PEER_SUPPORT_WORKER}):
        return None
    return Q(
        pk__in=PeerReferral.objects.filter(status=ReferralStatus.WAITING, locality__peer_workers__user=user).values(
            "person_id"
        )
    )
