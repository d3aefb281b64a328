"""The person's own session and the one decorator every portal page uses.

The session is Django's session store under its own cookie (settings.PORTAL_SESSION_COOKIE, path /my/), so a staff
session and a person's session never mix: a staff sign-in opens no portal page, and the portal's session opens no
staff page (staff pages need a staff User, which a person never is). It ends after settings.PORTAL_IDLE_SECONDS
without a request.

`portal_page(what, helper=...)` decides who may use a page:
- the person themself, always;
- a carer or advocate the person let help them: `helper="see"` pages if the grant is active, `helper="act"` pages
  only if the grant lets them act too; `helper=None` pages (sharing, helpers, who has looked, downloads) never;
- anyone else: sent to sign in; a member of staff: refused (403).
Every page opened is audited as read by the person (or their helper), and a refusal is audited as a refusal.
"""

import functools
import time

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from joinedup.core.audit import AuditAction, audit_record, audit_refusal

from .models import HelperGrant, PortalAccount

SEEN_KEY = "seen"


class Visitor:
    """Who is using the portal, for the audit trail and the timeline (never a staff User)."""

    is_authenticated = False

    def __init__(self, account: PortalAccount, person, grant: HelperGrant | None):
        self.account, self.person, self.grant = account, person, grant

    @property
    def is_helper(self) -> bool:
        return self.grant is not None

    @property
    def audit_username(self) -> str:
        if self.grant is not None:
            return f"{self.grant.get_kind_display().lower()} {self.grant.name} (NHS login {self.account.pk})"
        return f"the person themself (NHS login {self.account.pk})"

    @property
    def done_by(self) -> str:
        """For timeline summaries: who did it, in words."""
        if self.grant is not None:
            return f"by their {self.grant.get_kind_display().lower()}, {self.grant.name}"
        return "by the person themself"

    @property
    def may_act(self) -> bool:
        return self.grant is None or self.grant.may_act


def load(request) -> SessionStore:
    store = SessionStore(session_key=request.COOKIES.get(settings.PORTAL_SESSION_COOKIE))
    request.portal_session = store
    return store


def save(request, response):
    store = getattr(request, "portal_session", None)
    if store is None:
        return response
    if not store.keys():
        if store.session_key:
            store.delete()
        response.delete_cookie(settings.PORTAL_SESSION_COOKIE, path="/my/")
        return response
    store.set_expiry(settings.PORTAL_IDLE_SECONDS)
    store.save()
    response.set_cookie(
        settings.PORTAL_SESSION_COOKIE,
        store.session_key,
        path="/my/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def start_session(request, *, account, person_id, grant_id=None, choices=None):
    """After a good sign-in: a new session key (no fixation), who they are and whose record they are using."""
    store = load(request)
    store.flush()
    store.cycle_key()
    store["account"] = account.pk
    store["person"] = person_id
    store["grant"] = grant_id
    store["choices"] = choices or []
    store["last_seen"] = time.time()
    return store


def refuse(request, *, by, what, status=403, person=None, object_id="", message=""):
    """A refused page: recorded, and a plain page that shows nothing of anyone's record."""
    audit_refusal(by=by, what=f"portal: {what}", person_id=object_id, status=status, person=person, request=request)
    return render(request, "portal/refused.jinja", {"message": message, "status": status}, status=status)


def _visitor(request, store):
    account = PortalAccount.objects.filter(pk=store.get("account")).select_related("person").first()
    if account is None:
        return None, None
    grant = None
    if store.get("grant"):
        grant = HelperGrant.objects.select_related("person").filter(pk=store["grant"], account=account).first()
        if grant is None or not grant.is_active():
            return account, "ended"
        person = grant.person
    else:
        person = account.person
    if person is None:
        return account, "no_person"
    return Visitor(account, person, grant), None


def portal_page(what: str, *, helper: str | None = None):
    """Declare a portal page: `what` for the audit trail; `helper` None, "see" or "act" (see the module)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated:
                audit_refusal(by=request.user, what=f"portal: {what}", person_id="", status=403, request=request)
                return render(request, "portal/staff_refused.jinja", status=403)
            store = load(request)
            last_seen = store.get("last_seen")
            if not store.get("account"):
                return save(request, redirect("portal:sign_in"))
            if last_seen is None or time.time() - last_seen > settings.PORTAL_IDLE_SECONDS:
                store.clear()
                return save(request, redirect("portal:timed_out"))
            visitor, problem = _visitor(request, store)
            if visitor is None or problem == "no_person":
                store.clear()
                return save(request, redirect("portal:sign_in"))
            if problem == "ended":
                store["grant"] = None
                store["person"] = None
                response = refuse(
                    request,
                    by=_NoOne(store.get("account")),
                    what=what,
                    message="The person has ended your access, or it has run out. You can no longer see their record.",
                )
                store.clear()
                return save(request, response)
            store["last_seen"] = time.time()
            if visitor.is_helper and (helper is None or (helper == "act" and not visitor.grant.may_act)):
                response = refuse(
                    request,
                    by=visitor,
                    what=what,
                    person=visitor.person,
                    message="Only the person themself can do this, or they have not asked you to do it for them.",
                )
                return save(request, response)
            request.visitor = visitor
            if request.method == "GET":
                audit_record(
                    by=visitor,
                    action=AuditAction.VIEW,
                    what=f"portal: {what}",
                    person=visitor.person,
                    reason=f"Opened in their own Joined Up {visitor.done_by}",
                    request=request,
                )
                _on_timeline_once(store, visitor, what)
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                # Another person's id, or nothing there: refused, recorded, and nothing shown.
                object_id = next(iter(kwargs.values()), "")
                response = refuse(
                    request,
                    by=visitor,
                    what=what,
                    status=404,
                    person=visitor.person,
                    object_id=object_id,
                    message="There is nothing here for you.",
                )
            return save(request, response)

        wrapper.portal_page = {"what": what, "helper": helper}
        wrapper.sign_in_not_required = True  # the staff sign-in is not the portal's: the portal checks its own
        return wrapper

    return decorate


def portal_public(view):
    """The sign-in pages: open to anyone, with the portal's session loaded and saved."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        load(request)
        return save(request, view(request, *args, **kwargs))

    wrapper.sign_in_not_required = True
    wrapper.portal_public = True
    return wrapper


class _NoOne:
    """A signed-in NHS login account that holds no grant any more (for the refusal's audit row)."""

    is_authenticated = False

    def __init__(self, account_id):
        self.audit_username = f"NHS login {account_id} (access ended)"


def _on_timeline_once(store, visitor, what):
    """Each page the person opens is on their timeline: once per page per session, so the timeline stays readable."""
    from joinedup.core.timeline import Service, timeline_add

    seen = store.get(SEEN_KEY, [])
    key = f"{visitor.person.pk}:{what}"
    if key in seen:
        return
    timeline_add(
        person=visitor.person,
        service=Service.RECORD,
        kind="portal_viewed",
        summary=f"Their own Joined Up: {what} opened {visitor.done_by}",
        at=timezone.now(),
    )
    store[SEEN_KEY] = [*seen, key]
