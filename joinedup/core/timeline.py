"""The one timeline. Services append an entry in the same transaction as the change it records."""

from django.utils import timezone

from .models import Service, TimelineEntry


def timeline_add(*, person, service, kind, summary, by=None, link="", organisation=None, at=None):
    actor = by if getattr(by, "is_authenticated", False) else None
    if organisation is None and actor is not None:
        organisation = actor.primary_organisation
    return TimelineEntry.objects.create(
        person=person,
        at=at or timezone.now(),
        service=service,
        kind=kind,
        summary=summary[:500],
        link=link,
        organisation=organisation,
        actor=actor,
    )


__all__ = ["Service", "timeline_add"]
