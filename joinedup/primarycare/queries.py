"""Reads for primary care mental health pages, scoped by the access policy (visible_people)."""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, Prefetch, Q
from django.http import Http404

from joinedup.accounts.roles import Role
from joinedup.core.access import visible_people
from joinedup.directory.models import Pcn, Practice, TeamKind

from .models import Advice, Assessment, Episode, GpRequest, OnwardReferral, Session

CASELOAD_LIMIT_ROWS = 1000
LIST_LIMIT = 200


def pcns_for(user) -> list[Pcn]:
    """The primary care networks whose mental health teams the user works in."""
    seen = {}
    for m in user.active_memberships:
        if m.team.kind == TeamKind.PCN_MENTAL_HEALTH and m.team.pcn_id:
            seen.setdefault(m.team.pcn_id, m.team.pcn)
    return list(seen.values())


def mhps_in(pcns) -> list:
    """Mental health practitioners working in these PCNs (for choosing a caseload holder or a supervisor)."""
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            memberships__ended__isnull=True,
            memberships__role=Role.MHP,
            memberships__team__kind=TeamKind.PCN_MENTAL_HEALTH,
            memberships__team__pcn__in=list(pcns),
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def _sessions():
    return Session.objects.select_related("delivered_by", "supervisor", "reviewed_by").order_by("number", "id")


def episodes_for(*, person):
    """The person's caseload episodes, newest first, with everything the page shows."""
    return list(
        Episode.objects.filter(person=person)
        .select_related("mhp", "pcn", "opened_by", "discharged_by", "request__asked_by")
        .prefetch_related(
            Prefetch("sessions", queryset=_sessions()),
            Prefetch("assessments", queryset=Assessment.objects.select_related("assessed_by")),
            Prefetch("onward_referrals", queryset=OnwardReferral.objects.select_related("by")),
        )
        .order_by("-opened_on", "-id")
    )


def open_episode_for(*, person) -> Episode | None:
    return Episode.objects.filter(person=person, status=Episode.Status.OPEN).select_related("mhp", "pcn").first()


def episode_for(*, person, pk) -> Episode:
    try:
        return (
            Episode.objects.select_related("mhp", "pcn", "discharged_by", "person__practice", "request__asked_by")
            .prefetch_related(
                Prefetch("sessions", queryset=_sessions()),
                Prefetch("assessments", queryset=Assessment.objects.select_related("assessed_by")),
                Prefetch("onward_referrals", queryset=OnwardReferral.objects.select_related("by")),
            )
            .get(person=person, pk=pk)
        )
    except (Episode.DoesNotExist, ValueError, TypeError):
        raise Http404("No caseload entry found") from None


def session_for(*, person, pk) -> Session:
    try:
        return Session.objects.select_related("episode__pcn", "delivered_by", "supervisor", "reviewed_by").get(
            person=person, pk=pk
        )
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404("No session found") from None


def advice_for_person(*, person):
    return list(
        Advice.objects.filter(person=person).select_related("given_by", "practice").order_by("-given_on", "-id")
    )


def requests_for_person(*, person):
    return list(
        GpRequest.objects.filter(person=person)
        .select_related("asked_by", "practice", "answered_by")
        .order_by("-asked_at")
    )


def waiting_request_for(*, person, pk) -> GpRequest | None:
    if not pk:
        return None
    try:
        return GpRequest.objects.select_related("asked_by", "practice").get(
            person=person, pk=pk, status=GpRequest.Status.WAITING
        )
    except (GpRequest.DoesNotExist, ValueError, TypeError):
        return None


def caseload_for(*, by, mhp=None, pcns=None) -> list[dict]:
    """Open caseload entries the user may see: one MHP's, or their PCNs' whole caseload. One query, one row per
    person with their session count, last session date and whether they were assessed: the page runs the same
    few queries however long the caseload. Rows are plain values, since a caseload is long and building full
    model instances for each row costs more than the query."""
    episodes = Episode.objects.filter(status=Episode.Status.OPEN, person__in=visible_people(by))
    if mhp is not None:
        episodes = episodes.filter(mhp=mhp)
    if pcns is not None:
        episodes = episodes.filter(pcn__in=list(pcns))
    to_review = Q(sessions__supervisor__isnull=False, sessions__reviewed_at__isnull=True)
    return list(
        episodes.annotate(
            session_count=Count("sessions", distinct=True),
            last_session=Max("sessions__held_on"),
            assessed=Count("assessments", distinct=True),
            to_review=Count("sessions", filter=to_review, distinct=True),
        )
        .values(
            "id",
            "person_id",
            "opened_on",
            "session_count",
            "last_session",
            "assessed",
            "to_review",
            given_name=F("person__given_name"),
            family_name=F("person__family_name"),
            nhs_number=F("person__nhs_number"),
            practice_name=F("person__practice__name"),
            mhp_first_name=F("mhp__first_name"),
            mhp_last_name=F("mhp__last_name"),
        )
        .order_by("family_name", "given_name", "id")[:CASELOAD_LIMIT_ROWS]
    )


def waiting_requests_for(*, by, pcns):
    return list(
        GpRequest.objects.filter(status=GpRequest.Status.WAITING, pcn__in=list(pcns), person__in=visible_people(by))
        .select_related("person", "asked_by", "practice")
        .order_by("asked_at", "id")[:LIST_LIMIT]
    )


def sessions_to_review_for(*, by):
    return list(
        Session.objects.filter(supervisor=by, reviewed_at__isnull=True, person__in=visible_people(by))
        .select_related("person", "delivered_by")
        .order_by("held_on", "id")[:LIST_LIMIT]
    )


def advice_list_for(*, by, practice=None):
    advice = Advice.objects.filter(person__in=visible_people(by))
    if practice is not None:
        advice = advice.filter(practice=practice)
    return list(advice.select_related("person", "practice", "given_by").order_by("-given_on", "-id")[:LIST_LIMIT])


def practices_for_advice(*, by) -> list[Practice]:
    """Practices the user works with: those in their PCNs, or their own practice."""
    pcn_ids = [p.pk for p in pcns_for(by)]
    practice_ids = [m.team.practice_id for m in by.active_memberships if m.team.practice_id]
    return list(Practice.objects.filter(Q(pcn_id__in=pcn_ids) | Q(pk__in=practice_ids)).order_by("name"))


def practice_by_code(code) -> Practice | None:
    if not code:
        return None
    return Practice.objects.filter(ods_code=code).first()
