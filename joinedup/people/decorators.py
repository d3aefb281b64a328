"""The gate every page about a person goes through: access policy, then an audit event, then the view."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record

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


def person_page(perm: str, what: str):
    """The view receives the Person instead of its id. Without a relationship: 404. Without the
    permission for this page: 403. Every request that reaches the view leaves an audit event."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, person_id, *args, **kwargs):
            person = person_for(by=request.user, pk=person_id)
            if not may(request.user, perm, person):
                return _refused(request, person, perm)
            audit_record(by=request.user, action=AuditAction.VIEW, what=what, person=person, request=request)
            return view(request, person, *args, **kwargs)

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
