"""Handing a task to someone, and marking it seen or done. Each is one transaction; call them inside the
transaction of the change that causes the task, so the task and the change land together or not at all."""

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import InboxItem


class InboxRefused(Exception):
    pass


def inbox_send(
    *, kind, source, why, to_user=None, to_organisation=None, person=None, link="", due=None, key="", by=None
) -> InboxItem:
    """Hand a task to a member of staff or an organisation. With a `key`, sending the same (kind, key) again
    returns the item already sent instead of making a second."""
    if to_user is None and to_organisation is None:
        raise InboxRefused("A task needs someone to go to: a member of staff or an organisation")
    if key:
        existing = InboxItem.objects.filter(kind=kind, key=key).first()
        if existing is not None:
            return existing
    actor = by if getattr(by, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            return InboxItem.objects.create(
                kind=kind,
                source=source[:60],
                why=why[:500],
                to_user=to_user,
                to_organisation=to_organisation,
                person=person,
                link=link,
                due=due,
                key=key,
                created_by=actor,
            )
    except IntegrityError:
        if not key:
            raise
        return InboxItem.objects.get(kind=kind, key=key)  # sent at the same moment by another request


@transaction.atomic
def inbox_seen(item: InboxItem, *, by) -> InboxItem:
    """Mark it seen (the first time only: who saw it first and when is kept)."""
    InboxItem.objects.filter(pk=item.pk, seen_at__isnull=True).update(seen_at=timezone.now(), seen_by=by)
    item.refresh_from_db()
    return item


@transaction.atomic
def inbox_done(item: InboxItem, *, by) -> bool:
    """Mark it done. Marking it done twice changes nothing and answers False."""
    now = timezone.now()
    updated = InboxItem.objects.filter(pk=item.pk, done_at__isnull=True).update(
        done_at=now, done_by=by, seen_at=Coalesce("seen_at", Value(now)), seen_by=Coalesce("seen_by", Value(by.pk))
    )
    item.refresh_from_db()
    return bool(updated)


def inbox_send_to_practice(*, person, kind, source, why, link, key, by=None) -> InboxItem | None:
    """Hand an item to the person's GP practice's inbox. None when the person has no practice with a team here."""
    from .queries import practice_organisation

    organisation = practice_organisation(person)
    if organisation is None:
        return None
    return inbox_send(
        kind=kind, source=source, why=why, to_organisation=organisation, person=person, link=link, key=key, by=by
    )


def inbox_send_to_key_worker(*, person, kind, source, why, link, key, by=None) -> InboxItem | None:
    """Tell the person's key worker about a change someone else made. Nothing when they made it themself, or when
    the person has no key worker with an account."""
    from joinedup.care.queries import key_worker_for

    key_worker = key_worker_for(person=person)
    if key_worker is None or key_worker.user_id is None or (by is not None and key_worker.user_id == by.pk):
        return None
    return inbox_send(
        kind=kind, source=source, why=why, to_user=key_worker.user, person=person, link=link, key=key, by=by
    )
