"""The one audit mechanism. Services and person views call these; nothing else writes audit rows.

- `audit_record`: one thing read or changed (about one person, or none); `audit_records`: the same for many
  people at once (records created together), in one INSERT.
- `audit_list`: a page listing people (worklist, caseload, My tasks, search results...): one row per person
  shown (`LISTED`, or `SEARCH` for search results), written in one INSERT. A person's "who has looked" list
  stays `AuditEvent.objects.filter(person=...)`, and the cost is bounded by what the page shows. A list that
  showed nobody still leaves one row, without a person.
- `audit_refusal`: a person page refused (403, or 404 because the user has no relationship): a `REFUSED` row
  with the requested person id in `object_id` (the person may not exist, or may not be the user's to know of).
"""

from .models import AuditAction, AuditEvent

REASON_LIMIT = 2000


def _client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _event(*, by, action, what, person=None, person_id=None, object_id="", reason="", request=None):
    user = by if getattr(by, "is_authenticated", False) else None
    return AuditEvent(
        user=user,
        # Someone who is not a member of staff (the person in their own Joined Up) names themself.
        username=user.get_username() if user else getattr(by, "audit_username", "(system)")[:150],
        action=action,
        person_id=person.pk if person is not None else person_id,
        what=what[:200],
        object_id=str(object_id)[:64],
        path=(request.get_full_path()[:500] if request is not None else ""),
        reason=reason[:REASON_LIMIT],
        ip_address=_client_ip(request),
    )


def audit_record(*, by, action, what, person=None, obj=None, reason="", request=None):
    event = _event(
        by=by,
        action=action,
        what=what,
        person=person,
        object_id=obj.pk if obj is not None and obj.pk is not None else "",
        reason=reason,
        request=request,
    )
    event.save()
    return event


def audit_records(*, by, action, what, people, reason="", request=None) -> None:
    """`audit_record` for many people at once (a batch of records created together): one row each, one INSERT."""
    AuditEvent.objects.bulk_create(
        [
            _event(by=by, action=action, what=what, person=p, object_id=p.pk, reason=reason, request=request)
            for p in people
        ]
    )


def audit_list(*, by, what, person_ids, reason="", request=None, action=AuditAction.LISTED) -> None:
    """A list page showed these people (each recorded once however many rows they had)."""
    shown = list(dict.fromkeys(pk for pk in person_ids if pk is not None))
    reason = reason or f"Shown on {what}"
    if not shown:
        _event(by=by, action=action, what=what, reason=f"{reason}: nobody shown", request=request).save()
        return
    AuditEvent.objects.bulk_create(
        [_event(by=by, action=action, what=what, person_id=pk, reason=reason, request=request) for pk in shown]
    )


def audit_refusal(*, by, what, person_id, status: int, person=None, request=None) -> None:
    """Someone asked for a person page and was refused: recorded, whoever they are and whether the person exists."""
    why = "no relationship with this person (404)" if status == 404 else "not allowed to use this page (403)"
    _event(
        by=by,
        action=AuditAction.REFUSED,
        what=what,
        person=person,
        object_id=person_id,
        reason=f"Refused: {why}",
        request=request,
    ).save()


__all__ = ["AuditAction", "audit_list", "audit_record", "audit_records", "audit_refusal"]
