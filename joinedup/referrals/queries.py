"""Reads of EMDT requests, scoped by the access policy, and the waiting times report."""

import math
import statistics
from collections import defaultdict

from django.db.models import Prefetch
from django.http import Http404

from joinedup.accounts.roles import Perm
from joinedup.core.access import visible_people
from joinedup.directory.models import EmdtService, Team, TeamKind

from .models import DECISION_STATES, EmdtRequest, EmdtRequestTransition, RequestState

QUEUE_PAGE = 50


def emdt_teams_of(user, perm=Perm.TRIAGE_EMDT) -> list[Team]:
    """The EMDTs this user coordinates."""
    if perm not in user.permissions:
        return []
    return [m.team for m in user.active_memberships if m.team.kind == TeamKind.EMDT]


def _with_detail(qs):
    return qs.select_related("person__practice", "team", "referrer", "referrer_organisation").prefetch_related(
        Prefetch("services", queryset=EmdtService.objects.order_by("name"))
    )


QUEUE_COLUMNS = (
    "id",
    "person_id",
    "team_id",
    "urgency",
    "priority",
    "state",
    "submitted_at",
    "question",
    "person__given_name",
    "person__family_name",
    "person__nhs_number",
    "team__name",
    "referrer__username",
    "referrer__first_name",
    "referrer__last_name",
    "referrer_organisation__name",
)


def triage_queue(*, by, state=RequestState.SUBMITTED, limit=QUEUE_PAGE, offset=0) -> list:
    """The coordinator's queue of requests in one state: urgent before routine, then oldest first, carrying only
    the columns the queue shows. A page of `limit` from `offset`."""
    teams = emdt_teams_of(by)
    if not teams:
        return []
    qs = (
        EmdtRequest.objects.filter(team__in=teams, state=state, person__in=visible_people(by))
        .select_related("person", "team", "referrer", "referrer_organisation")
        .only(*QUEUE_COLUMNS)
        .prefetch_related(Prefetch("services", queryset=EmdtService.objects.only("id", "name").order_by("name")))
        .order_by("priority", "submitted_at", "id")
    )
    return list(qs[offset : offset + limit])


def request_for_triage(*, by, pk) -> EmdtRequest:
    """A request to one of the user's EMDTs, about someone they may see; otherwise 404."""
    teams = emdt_teams_of(by)
    try:
        return _with_detail(EmdtRequest.objects.filter(team__in=teams, person__in=visible_people(by))).get(pk=pk)
    except (EmdtRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No request found") from None


def requests_for_person(*, person):
    return list(_with_detail(EmdtRequest.objects.filter(person=person)).order_by("-submitted_at", "-id"))


def request_for(*, person, pk) -> EmdtRequest:
    try:
        return _with_detail(EmdtRequest.objects.filter(person=person)).get(pk=pk)
    except (EmdtRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No request found") from None


def transitions_for(*, request):
    return list(request.transitions.select_related("by").order_by("at", "id"))


def emdt_teams():
    return list(Team.objects.filter(kind=TeamKind.EMDT).select_related("locality").order_by("name"))


def emdt_services():
    return list(EmdtService.objects.order_by("name"))


def _nearest_rank(values, pct):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def _summary(days):
    if not days:
        return {"count": 0, "median_days": None, "p90_days": None}
    return {
        "count": len(days),
        "median_days": round(statistics.median(days), 1),
        "p90_days": round(_nearest_rank(days, 90), 1),
    }


def waiting_times(*, since=None, until=None) -> dict[str, dict]:
    """Per EMDT (team code): days from request to decision (accepted or declined) and from request to first
    discussion, as median and 90th percentile (nearest rank), computed from the transition rows.

    Requests are counted by when they were made (since <= made < until). Aggregate figures only: no person.
    """
    rows = EmdtRequestTransition.objects.filter(
        to_state__in=[RequestState.SUBMITTED, *DECISION_STATES, RequestState.DISCUSSED]
    )
    made = EmdtRequestTransition.objects.filter(from_state="", to_state=RequestState.SUBMITTED)
    if since is not None:
        made = made.filter(at__gte=since)
    if until is not None:
        made = made.filter(at__lt=until)
    rows = rows.filter(request_id__in=made.values("request_id")).values_list(
        "request_id", "request__team__code", "from_state", "to_state", "at"
    )
    per_request: dict[int, dict] = defaultdict(dict)
    for request_id, team, from_state, to_state, at in rows.order_by("at", "id").iterator():
        r = per_request[request_id]
        r["team"] = team
        if from_state == "" and to_state == RequestState.SUBMITTED:
            r["made"] = at
        elif to_state in DECISION_STATES:
            r.setdefault("decided", at)
        elif to_state == RequestState.DISCUSSED:
            r.setdefault("discussed", at)
    decision, discussion = defaultdict(list), defaultdict(list)
    for r in per_request.values():
        if "made" not in r:
            continue
        if "decided" in r:
            decision[r["team"]].append((r["decided"] - r["made"]).total_seconds() / 86400)
        if "discussed" in r:
            discussion[r["team"]].append((r["discussed"] - r["made"]).total_seconds() / 86400)
    teams = sorted({r["team"] for r in per_request.values()})
    return {t: {"to_decision": _summary(decision[t]), "to_first_discussion": _summary(discussion[t])} for t in teams}
