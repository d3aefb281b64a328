"""The gate every page about a person goes through: access policy, then an audit event, then the view.

Refusals leave a trace too: a 404 (no relationship, or nothing of that kind for this person) or a 403 (no
permission for this page) on a person URL writes a `REFUSED` audit event before the answer goes back.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from joinedup.accounts.roles import Perm
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record, audit_refusal

from .presenters import PersonPresenter, consents_in_words
from .queries import person_for


def _refused(request, person, perm):
    """403. When the role allows the page and only the person's sharing choice stands in the way, the user already
    knows the person (they reached them through another relationship, such as health check outreach), so the page
    says why it is hidden and what they can still open."""
    missing = consents_in_words(request.user, person) if perm in request.user.permissions else []
    if not missing:
        raise PermissionDenied
    context = {"person": PersonPresenter(person), "missing": missing}
    return render(request, "people/withheld.jinja", context, status=403)


def read_reason(user, person, what: str) -> str:
    """What the read was for: the page, and the relationship the policy allowed it through. Under emergency
    access, the reason the user gave when they asked for it."""
    if Perm.EMERGENCY_ACCESS in user.permissions:
        from .models import EmergencyAccess

        access = (
            EmergencyAccess.objects.filter(user=user, person=person, expires_at__gt=timezone.now())
            .order_by("-granted_at")
            .only("reason")
            .first()
        )
        if access is not None:
            return f"{what}, under emergency access: {access.reason}"
    teams = sorted({m.team.name for m in user.active_memberships})
    return f"{what}, as a member of {', '.join(teams) or 'no team'}"


def person_page(perm: str, what: str):
    """The view receives the Person instead of its id. Without a relationship: 404. Without the
    permission for this page: 403. Every request that reaches the view leaves an audit event with its reason;
    every refused one leaves a refusal event."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, person_id, *args, **kwargs):
            person = None
            try:
                person = person_for(by=request.user, pk=person_id)
                if not may(request.user, perm, person):
                    response = _refused(request, person, perm)
                    audit_refusal(
                        by=request.user, what=what, person_id=person_id, person=person, status=403, request=request
                    )
                    return response
                audit_record(
                    by=request.user,
                    action=AuditAction.VIEW,
                    what=what,
                    person=person,
                    reason=read_reason(request.user, person, what),
                    request=request,
                )
                return view(request, person, *args, **kwargs)
            except (Http404, PermissionDenied) as refused:
                audit_refusal(
                    by=request.user,
                    what=what,
                    person_id=person_id,
                    person=person,
                    status=404 if isinstance(refused, Http404) else 403,
                    request=request,
                )
                raise

        wrapped.person_page = {"perm": perm, "what": what}
        return wrapped

    return decorate


def person_action(perm: str, what: str):
    """A person page for a narrower job than reading the record (record a session, refer on, discharge).

    It behaves exactly like `person_page` but declares itself as `person_action`, so the URL walk's audit
    check signs in as someone whose role does that job rather than someone who may only read.
    """

    def decorate(view):
        wrapped = person_page(perm, what)(view)
        wrapped.person_action = wrapped.__dict__.pop("person_page")
        return wrapped

    return decorate
