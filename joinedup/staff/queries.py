"""Reads for the staff administration pages, scoped to the administrator's organisations (scope.py)."""

from django.db.models import Prefetch, Q

from joinedup.accounts.models import Membership, User

from . import scope
from .models import AccountEnding

LIST_LIMIT = 200


def staff_for(*, by, search="", include_leavers=False):
    ids = scope.organisation_ids(by)
    found = User.objects.all()
    if ids is not None:
        found = found.filter(memberships__team__organisation_id__in=ids)
    if not include_leavers:
        found = found.filter(is_active=True)
    search = (search or "").strip()
    for word in search.split()[:4]:
        found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word))
    current = Membership.objects.filter(ended__isnull=True).select_related("team__organisation")
    return list(
        found.distinct()
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current_memberships"))
        .order_by("last_name", "first_name", "pk")[:LIST_LIMIT]
    )


def staff_member_for(*, by, pk) -> User | None:
    user = User.objects.filter(pk=pk).first()
    if user is None or not scope.may_run_user(by, user):
        return None
    return user


def memberships_of(user):
    return list(
        Membership.objects.filter(user=user).select_related("team__organisation").order_by("ended", "-started", "id")
    )


def latest_ending(user) -> AccountEnding | None:
    return AccountEnding.objects.filter(user=user).first()


def key_worker_caseload_of(*, leaver):
    """The people whose current key worker this member of staff is (read for handing over, whatever their
    access now: a leaver has none)."""
    from joinedup.care.models import CareTeamMember

    return list(
        CareTeamMember.objects.filter(user=leaver, is_key_worker=True, ended__isnull=True)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person_id")
    )


def people_without_key_worker(*, by):
    """People whose key worker has left (their account has ended) and who have no new one yet, in the
    administrator's organisations."""
    from joinedup.care.models import CareTeamMember

    found = CareTeamMember.objects.filter(is_key_worker=True, ended__isnull=True, user__is_active=False)
    ids = scope.organisation_ids(by)
    if ids is not None:
        found = found.filter(organisation_id__in=ids)
    return list(
        found.select_related("person", "user", "organisation").order_by("user__left_on", "person__family_name")[
            :LIST_LIMIT
        ]
    )


def key_worker_choices(*, by):
    """Active staff who can hold a caseload, in the administrator's organisations."""
    from joinedup.accounts.roles import ROLE_PERMISSIONS, Perm

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.VIEW_CASELOAD in perms]
    current = Membership.objects.filter(ended__isnull=True, role__in=roles)
    ids = scope.organisation_ids(by)
    if ids is not None:
        current = current.filter(team__organisation_id__in=ids)
    return list(
        User.objects.filter(is_active=True, fhir_client__isnull=True, pk__in=current.values("user_id")).order_by(
            "last_name", "first_name"
        )
    )


def access_review_for(*, by):
    """The access review's two lists (unused accounts, memberships past their end), for the reviewer's own regions'
    staff only (docs/regions.md)."""
    from joinedup.core.access import user_regions

    from . import services

    regions = sorted(user_regions(by))
    staff = Membership.objects.filter(team__region_id__in=regions).values("user_id")
    return (
        services.unused_accounts().filter(pk__in=staff),
        services.memberships_past_end().filter(team__region_id__in=regions),
    )
