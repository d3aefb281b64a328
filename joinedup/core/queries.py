from django.apps import apps
from django.db.models import Q

from joinedup.core.access import in_regions
from joinedup.core.validators import normalise_nhs_number

from .models import AuditEvent


def in_regions_trail(regions, *, person="person", user="user") -> Q:
    """Rows about a person of `regions`, or about no region's person and done by staff of `regions`: the part of
    the audit trail an information governance lead of those regions reviews (docs/regions.md)."""
    Membership = apps.get_model("accounts", "Membership")
    staff = Membership.objects.filter(team__region_id__in=sorted(regions)).values("user_id")
    return in_regions(regions, f"{person}__practice") | Q(
        Q(**{f"{person}__isnull": True}) | Q(**{f"{person}__practice__isnull": True}), **{f"{user}_id__in": staff}
    )


def audit_events(*, nhs_number: str = "", username: str = "", limit: int = 200, regions=None):
    """The IG lead's audit search. `regions`: the reader's (core.access.user_regions); None only for benchmarks
    and jobs that work across regions."""
    events = AuditEvent.objects.select_related("person").order_by("-at", "-id")
    if regions is not None:
        events = events.filter(in_regions_trail(regions))
    if nhs_number:
        events = events.filter(person__nhs_number=normalise_nhs_number(nhs_number))
    if username:
        events = events.filter(username=username)
    return list(events[:limit])
