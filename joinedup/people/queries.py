"""Reads of person data, always scoped by the access policy. Pages and the API share these."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Prefetch
from django.http import Http404

from joinedup.accounts.roles import Perm
from joinedup.core.access import remember_related, visible_people
from joinedup.core.models import TimelineEntry
from joinedup.core.queries import in_regions_trail
from joinedup.core.validators import normalise_nhs_number, normalise_postcode

from .matching import THRESHOLD, normalise_name, trigram_similarity
from .models import CommunicationNeed, EmergencyAccess, Person

SEARCH_LIMIT = 20


def _with_flags(queryset):
    return queryset.select_related("practice__pcn", "practice__locality__outreach_coverage__provider").prefetch_related(
        Prefetch("communication_needs", queryset=CommunicationNeed.objects.order_by("id"))
    )


def person_for(*, by, pk) -> Person:
    """The person, if this user may see them; otherwise 404, so their existence is not revealed."""
    try:
        person = _with_flags(visible_people(by)).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No person found") from None
    remember_related(by, person)
    return person


@dataclass
class Match:
    person: Person
    score: float
    postcode_matches: bool


def search_people(
    *,
    by,
    nhs_number: str = "",
    name: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
    limit: int = SEARCH_LIMIT,
) -> list[Match]:
    """By NHS number, or by name and date of birth (postcode, when given, ranks matches higher). Only people whose
    relationship with the user opens search: health check outreach alone does not (hazard H20)."""
    people = _with_flags(visible_people(by, Perm.SEARCH_PEOPLE))
    if nhs_number:
        return [Match(p, 1.0, False) for p in people.filter(nhs_number=normalise_nhs_number(nhs_number))[:1]]
    wanted = normalise_name(name)
    if not wanted or date_of_birth is None:
        return []
    candidates = people.filter(date_of_birth=date_of_birth)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        candidates = (
            candidates.annotate(score=TrigramSimilarity("search_name", wanted))
            .filter(score__gte=THRESHOLD)
            .order_by("-score", "family_name")[: limit * 2]
        )
        scored = [(p, p.score) for p in candidates]
    else:
        scored = [(p, trigram_similarity(wanted, p.search_name)) for p in candidates[:500]]
        scored = [(p, s) for p, s in scored if s >= THRESHOLD]
    wanted_postcode = normalise_postcode(postcode) if postcode else ""
    matches = [Match(p, s, bool(wanted_postcode) and p.postcode == wanted_postcode) for p, s in scored]
    matches.sort(key=lambda m: (not m.postcode_matches, -m.score, m.person.family_name))
    return matches[:limit]


def nhs_number_exists(nhs_number: str) -> bool:
    """Whether any record holds this NHS number. Used only to refuse duplicates and by emergency access."""
    return Person.objects.filter(nhs_number=normalise_nhs_number(nhs_number)).exists()


def person_by_nhs_number_for_emergency(nhs_number: str) -> Person | None:
    """Only the emergency access service may look a person up without a relationship."""
    return Person.objects.filter(nhs_number=normalise_nhs_number(nhs_number)).first()


def timeline_for(*, person, service: str = "", page: int = 1, per_page: int = 50):
    """One page of the person's timeline, newest first, and whether there is a next page."""
    entries = TimelineEntry.objects.filter(person=person).select_related("organisation", "actor")
    if service:
        entries = entries.filter(service=service)
    start = (max(page, 1) - 1) * per_page
    rows = list(entries.order_by("-at", "-id")[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def consent_history_for(*, person):
    return list(person.consent_decisions.select_related("by").order_by("-at", "-id")[:50])


def emergency_accesses_for_review(*, unreviewed_only: bool = True, regions=None):
    """For information governance: `regions` are the reviewer's (core.access.user_regions); None: every region."""
    accesses = EmergencyAccess.objects.select_related("person", "user", "reviewed_by")
    if regions is not None:
        accesses = accesses.filter(in_regions_trail(regions))
    if unreviewed_only:
        accesses = accesses.filter(reviewed_at__isnull=True)
    return list(accesses.order_by("-granted_at")[:200])


def emergency_access_for_review(*, pk, regions=None) -> EmergencyAccess:
    accesses = EmergencyAccess.objects.select_related("person", "user")
    if regions is not None:
        accesses = accesses.filter(in_regions_trail(regions))
    try:
        return accesses.get(pk=pk)
    except (EmergencyAccess.DoesNotExist, ValueError):
        raise Http404("No emergency access found") from None
