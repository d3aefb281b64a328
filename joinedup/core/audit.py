"""The one audit mechanism. Services and person views call `audit_record`; nothing else writes audit rows."""

from .models import AuditAction, AuditEvent


def _client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, by, action, what, person=None, obj=None, reason="", request=None):
    user = by if getattr(by, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        user=user,
        username=user.get_username() if user else "(system)",
        action=action,
        person=person,
        what=what,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        path=(request.get_full_path()[:500] if request is not None else ""),
        reason=reason,
        ip_address=_client_ip(request),
    )


__all__ = ["AuditAction", "audit_record"]
