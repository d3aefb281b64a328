"""Pages about one referral or allocation: permission first (403), then the scoped lookup (404 when the
person is not visible to the user), then an audit event, as person pages do."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.people.decorators import read_reason

from . import queries


def _scoped_page(perm, what, kwarg, load):
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not may(request.user, perm):
                raise PermissionDenied
            obj = load(by=request.user, pk=kwargs.pop(kwarg))
            if not may(request.user, perm, obj.person):
                raise PermissionDenied
            audit_record(
                by=request.user,
                action=AuditAction.VIEW,
                what=what,
                person=obj.person,
                reason=read_reason(request.user, obj.person, what),
                request=request,
            )
            return view(request, obj, *args, **kwargs)

        wrapped.required_perm = perm
        return wrapped

    return decorate


def allocation_page(perm, what):
    return _scoped_page(perm, what, "peer_allocation_id", queries.allocation_for)


def referral_page(perm, what):
    return _scoped_page(perm, what, "peer_referral_id", queries.referral_for)
