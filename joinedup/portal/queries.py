"""What the person's pages read. Everything is about `person` (the visitor's person): nothing here takes an id
without the person, so another person's row cannot be reached."""

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from joinedup.core.models import AuditAction, AuditEvent

from .models import HelperGrant, PortalAccount

WHO_LOOKED_PAGE = 50
# What the person did themself is not "someone looking" (their carer's use is shown).
OWN_PREFIXES = ("the person themself",)


def care_team(*, person):
    from joinedup.care.queries import care_team_for

    return care_team_for(person=person)


def upcoming(*, person):
    """Coming appointments: health check bookings, and the EMDT discussions they are on the agenda for."""
    from joinedup.healthchecks.models import Booking
    from joinedup.meetings.models import AgendaItem, ItemState

    now = timezone.now()
    bookings = list(
        Booking.objects.filter(person=person, status=Booking.Status.BOOKED, at__gte=now).order_by("at")[:10]
    )
    items = list(
        AgendaItem.objects.filter(person=person, state=ItemState.SCHEDULED, meeting__starts_at__gte=now)
        .select_related("meeting")
        .order_by("meeting__starts_at")[:5]
    )
    return bookings, items


def agenda_item(*, person, pk):
    from joinedup.meetings.models import AgendaItem, ItemState

    item = AgendaItem.objects.filter(person=person, pk=pk, state=ItemState.SCHEDULED).select_related("meeting").first()
    if item is None:
        raise Http404("No discussion found")
    return item


def has_own_account(*, person) -> bool:
    """The person has signed in to their own Joined Up with NHS login (their record is linked to it): messages may
    point them there."""
    return PortalAccount.objects.filter(person=person).exists()


def plans(*, person):
    """The agreed plan everyone works from, and the draft staff have shared with them (both may be None). A draft
    not shared with them stays hidden."""
    from joinedup.care.queries import plan_current_for, plan_draft_for

    draft = plan_draft_for(person=person)
    return plan_current_for(person=person), draft if draft is not None and draft.shared_with_person else None


def helpers(*, person):
    return list(HelperGrant.objects.filter(person=person).order_by("-created_at", "-id"))


def helper_for(*, person, pk) -> HelperGrant:
    grant = HelperGrant.objects.filter(person=person, pk=pk).first()
    if grant is None:
        raise Http404("No helper found")
    return grant


def who_has_looked(*, person, page: int = 1):
    """Every read and change of the record by someone else, newest first, a page at a time: (rows, has_more).
    Uses the audit table's (person, -at) index; costs the same however long the trail."""
    start = (page - 1) * WHO_LOOKED_PAGE
    events = list(
        AuditEvent.objects.filter(person=person)
        .exclude(action=AuditAction.REFUSED)
        .exclude(user__isnull=True, username__startswith=OWN_PREFIXES[0])  # the person's own use is not "looking"
        .select_related("user")
        .order_by("-at", "-id")[start : start + WHO_LOOKED_PAGE + 1]
    )
    has_more = len(events) > WHO_LOOKED_PAGE
    events = events[:WHO_LOOKED_PAGE]
    memberships = _memberships({e.user_id for e in events if e.user_id})
    rows = []
    for event in events:
        rows.append(_row(event, memberships.get(event.user_id)))
    return rows, has_more


def _memberships(user_ids):
    from joinedup.accounts.models import Membership

    found = {}
    for m in Membership.objects.filter(user_id__in=user_ids).select_related("team__organisation").order_by("id"):
        found.setdefault(m.user_id, m)  # the first (primary) membership
    return found


def _row(event, membership):
    from joinedup.accounts.roles import Role

    if event.user_id is None:
        who = event.username.rsplit(" (NHS login", 1)[0]
        who = who[:1].upper() + who[1:]
        organisation, role = "", ""
    else:
        who = event.user.get_full_name() if settings.PORTAL_SHOW_STAFF_NAMES else ""
        organisation = membership.team.organisation.name if membership else ""
        role = Role(membership.role).label if membership else ""
    return {
        "at": event.at,
        "who": who,
        "organisation": organisation,
        "role": role,
        "action": AuditAction(event.action).label if event.action in AuditAction.values else event.action,
        "what": event.what.removeprefix("portal: "),
        "emergency_reason": event.reason if event.action == AuditAction.EMERGENCY_ACCESS else "",
        "by_staff": event.user_id is not None,
    }


def booking(*, person, pk):
    from joinedup.healthchecks.models import Booking

    found = Booking.objects.filter(person=person, pk=pk, status=Booking.Status.BOOKED).first()
    if found is None:
        raise Http404("No booking found")
    return found


def booking_answers(*, person, booking):
    from .models import BookingAnswer

    return list(BookingAnswer.objects.filter(person=person, booking=booking)[:5])
