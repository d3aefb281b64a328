"""The one timeline. Services append an entry in the same transaction as the change it records.

Everyone with a relationship reads a person's timeline, whatever that person shares with their kind of organisation
and whatever their role may open (hazard H22). So an entry's `summary` says that something happened and where, never
its clinical content; the content goes in `detail`, which a reader sees, with the link, only when they may open the
page the entry links to: that page would show it to them anyway. The page's own access declaration
(`person_page(perm, ...)`) decides, through the one access policy, so the timeline cannot drift from the pages.
"""

from dataclasses import dataclass

from django.urls import Resolver404, resolve
from django.utils import timezone

from .access import may
from .models import Service, TimelineEntry


def timeline_entry(*, person, service, kind, summary, detail="", by=None, link="", organisation=None, at=None):
    """The entry, not yet saved: timeline_add saves one, timeline_add_many a batch (the outbox's sends)."""
    if detail and not link:
        raise ValueError("A timeline entry's detail needs a link: the linked page decides who may read it")
    actor = by if getattr(by, "is_authenticated", False) else None
    if organisation is None and actor is not None:
        organisation = actor.primary_organisation
    return TimelineEntry(
        person=person,
        at=at or timezone.now(),
        service=service,
        kind=kind,
        summary=summary[:500],
        detail=detail[:1000],
        link=link,
        organisation=organisation,
        actor=actor,
    )


def timeline_add(*, person, service, kind, summary, detail="", by=None, link="", organisation=None, at=None):
    entry = timeline_entry(
        person=person,
        service=service,
        kind=kind,
        summary=summary,
        detail=detail,
        by=by,
        link=link,
        organisation=organisation,
        at=at,
    )
    entry.save(force_insert=True)
    return entry


def timeline_add_many(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Entries made with timeline_entry, saved in one INSERT (records created together; the outbox's sends)."""
    return TimelineEntry.objects.bulk_create(entries)


def page_permission(link: str) -> str | None:
    """The permission the page at `link` declares for the person it is about; None when it declares none (or is
    not a page about a person), which opens nothing."""
    try:
        view = resolve(link.split("?", 1)[0]).func
    except Resolver404:
        return None
    declared = getattr(view, "person_page", None) or getattr(view, "person_action", None)
    return declared["perm"] if declared else None


@dataclass(frozen=True)
class TimelineRow:
    entry: TimelineEntry
    href: str  # "" when the reader may not open the linked page
    detail: str  # "" likewise

    def __getattr__(self, name):
        return getattr(self.entry, name)


def timeline_rows(entries, *, reader, person) -> list[TimelineRow]:
    """The entries as this reader may see them. No queries beyond the first relationship check: the relationship is
    remembered for the request and roles are in memory, so the page costs the same however long the timeline."""
    opens: dict[str, bool] = {}
    rows = []
    for entry in entries:
        if entry.link and entry.link not in opens:
            perm = page_permission(entry.link)
            opens[entry.link] = perm is not None and may(reader, perm, person)
        allowed = bool(entry.link) and opens[entry.link]
        rows.append(TimelineRow(entry, entry.link if allowed else "", entry.detail if allowed else ""))
    return rows


__all__ = ["Service", "TimelineRow", "page_permission", "timeline_add", "timeline_rows"]
