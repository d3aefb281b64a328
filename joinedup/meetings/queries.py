"""Reads of EMDT meetings, agendas and outcomes, scoped by the access policy."""

import datetime as dt

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from joinedup.accounts.models import User
from joinedup.accounts.roles import Perm
from joinedup.core.access import visible_people
from joinedup.directory.models import EmdtService, TeamKind

from .models import TAKES_A_PLACE, Action, AgendaItem, Attendance, CaseDiscussion, ItemState, Meeting


def coordinated_teams(user):
    if Perm.RUN_EMDT_MEETINGS not in user.permissions:
        return []
    return [m.team for m in user.active_memberships if m.team.kind == TeamKind.EMDT]


def _with_places(qs):
    return qs.annotate(taken=Count("items", filter=Q(items__state__in=TAKES_A_PLACE))).select_related("team")


def meetings_for(*, by, upcoming: bool = True, limit: int = 50):
    teams = coordinated_teams(by)
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    qs = _with_places(Meeting.objects.filter(team__in=teams))
    qs = (
        qs.filter(starts_at__gte=start).order_by("starts_at")
        if upcoming
        else qs.filter(starts_at__lt=start).order_by("-starts_at")
    )
    return list(qs[:limit])


def meeting_for(*, by, pk) -> Meeting:
    try:
        qs = _with_places(Meeting.objects.filter(team__in=coordinated_teams(by))).select_related("cancelled_by")
        return qs.get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No meeting found") from None


def meetings_with_room(*, team, after=None, limit: int = 20):
    """Meetings of this EMDT from today (or after a moment) that still have a place. Never a cancelled one."""
    start = after or timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    meetings = Meeting.objects.filter(team=team, cancelled_at__isnull=True)
    qs = _with_places(meetings.filter(starts_at__gt=start) if after else meetings.filter(starts_at__gte=start))
    return [m for m in qs.order_by("starts_at")[: limit * 2] if m.taken < m.capacity][:limit]


def meetings_to_move_to(*, meeting, need: int, now=None, limit: int = 20):
    """Meetings a cancelled meeting's agenda can move to: this EMDT's, after it and still to come, not cancelled,
    with room for everyone on it."""
    now = now or timezone.now()
    qs = _with_places(
        Meeting.objects.filter(
            team_id=meeting.team_id, cancelled_at__isnull=True, starts_at__gt=max(meeting.starts_at, now)
        )
        .exclude(pk=meeting.pk)
        .order_by("starts_at")
    )
    return [m for m in qs[: limit * 3] if m.capacity - m.taken >= need][:limit]


def scheduled_count(*, meeting) -> int:
    """People still waiting to be discussed at this meeting (all of them, whoever is asking: they all move)."""
    return meeting.items.filter(state=ItemState.SCHEDULED).count()


def has_discussion(*, meeting) -> bool:
    return meeting.items.filter(state=ItemState.DISCUSSED).exists()


def agenda_for(*, by, meeting):
    """Everyone on the agenda (moved items too, so the history shows), about people the user may see."""
    return list(
        AgendaItem.objects.filter(meeting=meeting, person__in=visible_people(by))
        .select_related("person__practice", "request__referrer", "moved_to__meeting", "person_words_by")
        .prefetch_related(Prefetch("request__services", queryset=EmdtService.objects.order_by("name")))
        .select_related("discussion")
        .order_by("id")
    )


def attendance_for(*, meeting):
    return list(Attendance.objects.filter(meeting=meeting).select_related("organisation", "service"))


def suggested_invitations(*, meeting, agenda, attendance):
    """Services the people on the agenda need (named on their requests) that nobody attending covers yet."""
    covered = {a.service_id for a in attendance if a.service_id}
    wanted = {}
    for item in agenda:
        if item.state == ItemState.MOVED or item.request is None:
            continue
        for service in item.request.services.all():
            if service.pk not in covered:
                wanted.setdefault(service.pk, (service, []))[1].append(item.person.full_name)
    return sorted(wanted.values(), key=lambda pair: pair[0].name)


def reviews_due(*, by, meeting):
    """Discussions of this EMDT with a review due by this meeting's date and no place on an agenda yet (none for a
    cancelled meeting: nobody can be added to it)."""
    if meeting.cancelled_at is not None:
        return []
    day = timezone.localtime(meeting.starts_at).date()
    return list(
        CaseDiscussion.objects.filter(
            item__meeting__team=meeting.team,
            review_item__isnull=True,
            next_review__isnull=False,
            next_review__lte=day,
            item__meeting__starts_at__lt=meeting.starts_at,
            person__in=visible_people(by),
        )
        .select_related("person", "item__meeting")
        .order_by("next_review")[:50]
    )


def item_for_coordinator(*, by, pk) -> AgendaItem:
    try:
        return (
            AgendaItem.objects.filter(meeting__team__in=coordinated_teams(by), person__in=visible_people(by))
            .select_related("meeting__team", "person__practice", "request", "person_words_by")
            .get(pk=pk)
        )
    except (AgendaItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No agenda item found") from None


def item_for(*, person, pk) -> AgendaItem:
    try:
        return AgendaItem.objects.select_related("meeting__team", "person_words_by").get(person=person, pk=pk)
    except (AgendaItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No agenda item found") from None


def items_for_person(*, person):
    return list(
        AgendaItem.objects.filter(person=person)
        .select_related("meeting__team", "moved_to__meeting")
        .order_by("-meeting__starts_at", "-id")
    )


def discussions_for_person(*, person):
    return list(
        CaseDiscussion.objects.filter(person=person)
        .select_related("item__meeting__team", "recorded_by")
        .order_by("-recorded_at")
    )


def discussion_for(*, person, pk) -> CaseDiscussion:
    try:
        return CaseDiscussion.objects.select_related(
            "item__meeting__team", "recorded_by", "person__practice", "review_item__meeting"
        ).get(person=person, pk=pk)
    except (CaseDiscussion.DoesNotExist, ValueError, TypeError):
        raise Http404("No case discussion found") from None


def actions_for_discussion(*, discussion):
    return list(discussion.actions.select_related("owner", "owner_organisation").order_by("due", "id"))


def action_for(*, person, pk) -> Action:
    try:
        return Action.objects.select_related("owner", "owner_organisation", "discussion__item__meeting__team").get(
            person=person, pk=pk
        )
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404("No action found") from None


def care_team_organisations(*, person):
    """The organisations on the person's care team, by name: each may own an action with no named person."""
    from joinedup.directory.models import Organisation

    from .services import care_team_organisation_ids

    return list(Organisation.objects.filter(pk__in=care_team_organisation_ids(person)).order_by("name"))


def possible_owners(*, person, team):
    """Staff who can own an action: the person's care team and staff working in the EMDT's locality."""
    locality = team.locality_id
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(care_team_roles__person=person, care_team_roles__ended__isnull=True)
            | Q(memberships__ended__isnull=True, memberships__team__locality_id=locality)
            | Q(memberships__ended__isnull=True, memberships__team__pcn__locality_id=locality)
            | Q(memberships__ended__isnull=True, memberships__team__practice__locality_id=locality)
            | Q(memberships__ended__isnull=True, memberships__team__kind__in=[TeamKind.PARTNER, TeamKind.PEER_SUPPORT])
        )
        .distinct()
        .order_by("last_name", "first_name")[:300]
    )


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class ActionOwners:
    """Who may own an action agreed at a discussion: anyone on the person's care team (council, housing and
    VCFSE staff included), anyone recorded as attending the meeting (matched by name and organisation), the chair,
    the practitioner who made the request and the key worker named there. Nobody else: an action is never handed
    to someone outside the person's care."""

    def __init__(self, *, person, meeting, chair, referrer=None):
        from joinedup.care.models import CareTeamMember

        self.person = person
        self.team_ids = set(
            CareTeamMember.objects.filter(person=person, ended__isnull=True, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
        self.attending = [
            (a.organisation_id, a.name)
            for a in Attendance.objects.filter(meeting=meeting, status="attended").only("organisation_id", "name")
        ]
        self.named = {u.pk for u in (chair, referrer) if u is not None}

    def allows(self, user, *, key_worker=None) -> bool:
        if user.pk in self.team_ids or user.pk in self.named or (key_worker is not None and key_worker.pk == user.pk):
            return True
        name = user.get_full_name() or user.username
        same_name = {org for org, attended in self.attending if _same_name(name, attended)}
        return bool(same_name) and any(m.team.organisation_id in same_name for m in user.active_memberships)

    def choices(self, candidates):
        return [u for u in candidates if self.allows(u)]


def coming_meetings_count(*, team) -> int:
    """How many of this EMDT's meetings are still to come (not cancelled), full or not."""
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return Meeting.objects.filter(team=team, cancelled_at__isnull=True, starts_at__gte=start).count()
