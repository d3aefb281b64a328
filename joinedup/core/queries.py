from joinedup.core.validators import normalise_nhs_number

from .models import AuditEvent


def audit_events(*, nhs_number: str = "", username: str = "", limit: int = 200):
    events = AuditEvent.objects.select_related("person").order_by("-at", "-id")
    if nhs_number:
        events = events.filter(person__nhs_number=normalise_nhs_number(nhs_number))
    if username:
        events = events.filter(username=username)
    return list(events[:limit])
