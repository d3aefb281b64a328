"""Reads for the peer support pages and for reporting. Person data is always scoped by the access policy."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404

from joinedup.core.access import visible_people

from . import reference
from .models import (
    Allocation,
    Contact,
    Offer,
    OfferLink,
    OutcomeRating,
    PeerReferral,
    PeerWorker,
    Progression,
    ReferralStatus,
    SupervisionSession,
    TrainingCompletion,
    WorkerKind,
)

DIRECTORY_PAGE_SIZE = 20


def _scoped(queryset, by):
    return queryset.filter(person__in=visible_people(by))


# One person's peer support


def referrals_for(*, person):
    return list(
        PeerReferral.objects.filter(person=person).select_related("locality", "referred_by").order_by("-referred_at")
    )


def current_allocation_for(*, person):
    return (
        Allocation.objects.filter(person=person, ended__isnull=True)
        .select_related("worker__user", "worker__organisation", "referral")
        .first()
    )


def allocations_for(*, person):
    return list(
        Allocation.objects.filter(person=person)
        .select_related("worker__user", "worker__organisation", "referral")
        .order_by("-started", "-id")
    )


def contacts_for(*, person, limit=50):
    return list(
        Contact.objects.filter(person=person)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("offer_links", queryset=OfferLink.objects.select_related("offer")))
        .order_by("-on", "-id")[:limit]
    )


def offer_links_for(*, person):
    return list(
        OfferLink.objects.filter(person=person).select_related("offer__locality", "linked_by").order_by("-linked_at")
    )


@dataclass
class OutcomeChange:
    code: str
    label: str
    first: int | None
    latest: int | None
    ratings: list  # (stage, rated_on, score), oldest first

    @property
    def change(self) -> int | None:
        if self.first is None or self.latest is None or len(self.ratings) < 2:
            return None
        return self.latest - self.first


def outcome_changes_for(*, person) -> list[OutcomeChange]:
    """Each outcome: every rating with the person, oldest first, and the change from the first to the latest."""
    by_outcome = defaultdict(list)
    for r in OutcomeRating.objects.filter(person=person).order_by("rated_on", "id"):
        by_outcome[r.outcome].append((r.stage, r.rated_on, r.score))
    rows = []
    for outcome in reference.outcomes():
        ratings = by_outcome.get(outcome.code, [])
        rows.append(
            OutcomeChange(
                outcome.code,
                outcome.label,
                ratings[0][2] if ratings else None,
                ratings[-1][2] if ratings else None,
                ratings,
            )
        )
    return rows


def rating_stages_done(*, allocation) -> set[str]:
    return set(OutcomeRating.objects.filter(allocation=allocation).values_list("stage", flat=True))


# Worklists


def caseload_for(*, by):
    """The people allocated to this worker or volunteer, with their latest contact."""
    allocations = _scoped(Allocation.objects.filter(worker__user=by, ended__isnull=True), by)
    return list(
        allocations.select_related("person__practice__locality")
        .annotate(last_contact=Max("contacts__on"), contact_count=Count("contacts"))
        .order_by("person__family_name", "person__given_name")
    )


def supervisees_caseloads_for(*, by):
    """The people allocated to the workers and volunteers this senior supervises."""
    allocations = _scoped(Allocation.objects.filter(worker__supervisor=by, ended__isnull=True), by)
    return list(
        allocations.select_related("person__practice__locality", "worker__user")
        .annotate(last_contact=Max("contacts__on"))
        .order_by("worker__user__last_name", "person__family_name")
    )


def waiting_referrals_for(*, by):
    """Referrals waiting for a worker that this senior may allocate (the localities they cover)."""
    referrals = _scoped(PeerReferral.objects.filter(status=ReferralStatus.WAITING), by)
    return list(referrals.select_related("person", "locality", "referred_by").order_by("referred_at", "id"))


def referral_for(*, by, pk) -> PeerReferral:
    try:
        return _scoped(PeerReferral.objects, by).select_related("person__practice__locality", "locality").get(pk=pk)
    except (PeerReferral.DoesNotExist, ValueError, TypeError):
        raise Http404("No referral found") from None


def allocation_for(*, by, pk) -> Allocation:
    try:
        return (
            _scoped(Allocation.objects, by)
            .select_related("person__practice__locality", "worker__user", "worker__organisation", "referral")
            .get(pk=pk)
        )
    except (Allocation.DoesNotExist, ValueError, TypeError):
        raise Http404("No allocation found") from None


def contact_in(*, allocation, pk):
    if not pk:
        return None
    try:
        return Contact.objects.get(allocation=allocation, pk=pk)
    except (Contact.DoesNotExist, ValueError, TypeError):
        return None


@dataclass
class WorkerChoice:
    worker: PeerWorker
    caseload: int
    covers: bool

    @property
    def full(self) -> bool:
        return self.caseload >= self.worker.caseload_limit


def _of_regions(workers, regions):
    """Workers with an active team in one of `regions`: another region's workforce is not the reader's."""
    from joinedup.accounts.models import Membership

    staff = Membership.objects.filter(team__region_id__in=sorted(regions), ended__isnull=True).values("user_id")
    return workers.filter(user_id__in=staff)


def workers_for_allocation(*, locality) -> list[WorkerChoice]:
    """Every active worker of the locality's region, those covering the locality with room first, then by how full
    they are."""
    workers = (
        _of_regions(PeerWorker.objects.filter(active=True), [locality.area.region_id])
        .select_related("user", "organisation")
        .annotate(
            caseload=Count("allocations", filter=Q(allocations__ended__isnull=True)),
            covers=Count("localities", filter=Q(localities=locality), distinct=True),
        )
    )
    choices = [WorkerChoice(w, w.caseload, bool(w.covers)) for w in workers]
    choices.sort(
        key=lambda c: (not c.covers, c.full, c.caseload / max(c.worker.caseload_limit, 1), c.worker.user.last_name)
    )
    return choices


def worker_choice(*, pk) -> PeerWorker | None:
    try:
        return PeerWorker.objects.select_related("user").get(pk=pk, active=True)
    except (PeerWorker.DoesNotExist, ValueError, TypeError):
        return None


# The community directory


def directory_search(*, locality=None, category: str = "", text: str = "", page: int = 1, per_page=DIRECTORY_PAGE_SIZE):
    """Active offers matching the locality, category and words given; one page of them and the total."""
    offers = Offer.objects.filter(active=True)
    if locality is not None:
        offers = offers.filter(locality=locality)
    if category:
        offers = offers.filter(category=category)
    for word in (text or "").lower().split()[:8]:
        offers = offers.filter(search_text__contains=word)
    total = offers.count()
    start = (max(page, 1) - 1) * per_page
    rows = list(offers.select_related("locality").order_by("name", "id")[start : start + per_page])
    return rows, total


def offer_for(*, pk) -> Offer:
    try:
        return Offer.objects.select_related("locality").get(pk=pk, active=True)
    except (Offer.DoesNotExist, ValueError, TypeError):
        raise Http404("No offer found") from None


def localities_for_choice():
    from joinedup.directory.models import Locality

    return list(Locality.objects.order_by("name"))


# The workforce (staff data, not person data)


def workforce(*, organisation=None, regions=None):
    """The peer support workforce; `regions`: the reader's (core.access.user_regions), None for every region."""
    workers = PeerWorker.objects.select_related("user", "organisation", "supervisor").prefetch_related("localities")
    if regions is not None:
        workers = _of_regions(workers, regions)
    if organisation is not None:
        workers = workers.filter(organisation=organisation)
    return list(
        workers.annotate(
            caseload=Count("allocations", filter=Q(allocations__ended__isnull=True), distinct=True),
            modules_done=Count("training", distinct=True),
            last_supervision=Max("supervision_sessions__held_on"),
        ).order_by("organisation__name", "user__last_name", "user__first_name")
    )


def worker_for(*, pk, regions=None) -> PeerWorker:
    workers = PeerWorker.objects.select_related("user", "organisation", "supervisor")
    if regions is not None:
        workers = _of_regions(workers, regions)
    try:
        return workers.get(pk=pk)
    except (PeerWorker.DoesNotExist, ValueError, TypeError):
        raise Http404("No worker found") from None


def supervision_for(*, worker):
    return list(SupervisionSession.objects.filter(worker=worker).select_related("supervisor").order_by("-held_on"))


def training_for(*, worker):
    """The worker's programme: each module for their kind of role, with its completion date or None."""
    done = {t.module: t.completed_on for t in TrainingCompletion.objects.filter(worker=worker)}
    return [(m, done.get(m.code)) for m in reference.modules_for(worker.kind)]


def progressions_for(*, worker):
    return list(Progression.objects.filter(worker=worker).select_related("recorded_by").order_by("-on"))


# Reporting (aggregates; no names)


def volunteers_progressed(*, start=None, end=None, organisation=None) -> int:
    """How many volunteers moved into a paid role (in the period, if given)."""
    moves = Progression.objects.filter(from_kind=WorkerKind.VOLUNTEER).exclude(to_kind=WorkerKind.VOLUNTEER)
    if start:
        moves = moves.filter(on__gte=start)
    if end:
        moves = moves.filter(on__lte=end)
    if organisation is not None:
        moves = moves.filter(worker__organisation=organisation)
    return moves.values("worker").distinct().count()


def outcome_changes(*, locality=None) -> list[dict]:
    """For reporting: per outcome, how many people have a first and a later rating, how many improved,
    stayed the same or got worse, and the mean change. No person is named."""
    ratings = OutcomeRating.objects.all()
    if locality is not None:
        ratings = ratings.filter(allocation__referral__locality=locality)
    first_last = {}
    for person_id, outcome, score in ratings.order_by("person_id", "outcome", "rated_on", "id").values_list(
        "person_id", "outcome", "score"
    ):
        key = (person_id, outcome)
        if key in first_last:
            first_last[key][1] = score
            first_last[key][2] += 1
        else:
            first_last[key] = [score, score, 1]
    rows = []
    for outcome in reference.outcomes():
        changes = [last - first for (_, o), (first, last, n) in first_last.items() if o == outcome.code and n > 1]
        rows.append(
            {
                "outcome": outcome.code,
                "label": outcome.label,
                "people": len(changes),
                "improved": sum(1 for c in changes if c > 0),
                "same": sum(1 for c in changes if c == 0),
                "worse": sum(1 for c in changes if c < 0),
                "mean_change": round(sum(changes) / len(changes), 2) if changes else None,
            }
        )
    return rows
