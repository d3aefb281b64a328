"""The one access policy: may this user do this to this person's data?

Two questions, both must be yes:
1. Does one of the user's roles carry the permission at all? (joinedup/accounts/roles.py)
2. Does the user have a legitimate relationship with the person? A relationship comes from one of the
   user's team memberships (the person's practice, PCN, care team, a request to their team, their
   worklist... each app registers its own below) or from a recorded emergency access. Relationships held
   through a non-NHS organisation, a peer support role or the NHS outside the person's own practice
   count only while the person consents to sharing with that kind of organisation. A relationship may be
   narrower than the record: SMI health check outreach, for instance, opens the health check pages only
   (`grants=`), so the rest of the record stays behind the person's consent.

3. Is the person in one of the user's regions? Each team belongs to one region (its pack); a person belongs to the
   region of their registered practice. A relationship counts only for people of the regions of the user's teams,
   so another region's people, registers and figures do not exist for them. The one exception is a relationship
   held by name that a person keeps when they move (an open care team membership, `within_region=False`): it
   counts wherever the person is registered now, until it is ended. A person with no registered practice is in no
   region: their relationships, each made with them by name, count as they are. (docs/regions.md)

Without a relationship the person does not exist for that user: queries return nothing and pages 404.
The rules live in `rules` predicates so the map stays readable; this module is the only place that
decides. Pages, the API and services all ask `may()` or `visible_people()`.
"""

from collections.abc import Callable
from dataclasses import dataclass

import rules
from django.apps import apps
from django.db.models import Q


@dataclass(frozen=True)
class Relationship:
    name: str
    # Builds one filter on Person for a group of the user's memberships (those that share a consent kind, or all
    # of them when no consent is needed), or for the user alone when per_user. None: no relationship of this kind.
    build: Callable
    needs_consent: bool = True
    per_user: bool = False
    # The permissions this relationship can be used for; None: every permission (the whole record).
    grants: frozenset[str] | None = None
    # True: counts only for people registered in one of the user's regions. False: held by name and kept when the
    # person moves region (an open care team membership).
    within_region: bool = True

    def allows(self, perm: str | None) -> bool:
        return perm is None or self.grants is None or perm in self.grants


_RELATIONSHIPS: list[Relationship] = []


def relationship(
    name: str, *, needs_consent: bool = True, per_user: bool = False, grants=None, within_region: bool = True
):
    """Register a kind of legitimate relationship. Apps call this from their access.py at start-up.

    `grants` limits what the relationship opens: a user related to a person only this way may use those
    permissions for them and no others (the person still exists for them: pages about them answer 403, not 404).
    `within_region=False` only for a relationship held by name that should follow a person who moves region."""

    def register(build):
        if any(r.name == name for r in _RELATIONSHIPS):
            raise ValueError(f"Relationship {name!r} registered twice")
        _RELATIONSHIPS.append(
            Relationship(
                name,
                build,
                needs_consent,
                per_user,
                frozenset(grants) if grants is not None else None,
                within_region,
            )
        )
        return build

    return register


def registered_relationships() -> tuple[str, ...]:
    return tuple(r.name for r in _RELATIONSHIPS)


def user_regions(user) -> frozenset[int]:
    """The regions of the user's active teams: the only regions whose people, registers, figures and audit trail
    they may see. Empty for a team outside any region pack, so access fails closed."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    return frozenset(m.team.region_id for m in user.active_memberships if m.team.region_id is not None)


def in_regions(regions, practice_path: str = "practice") -> Q:
    """A filter for rows whose practice (`practice_path`) is in one of `regions`, for Person by default. Through
    the practice ids rather than a join, so the person queries keep their shape."""
    Practice = apps.get_model("directory", "Practice")
    return Q(**{f"{practice_path}_id__in": Practice.objects.filter(region_id__in=sorted(regions)).values("pk")})


def _parts(user) -> list[tuple[Relationship, Q]]:
    """Each of the user's relationships as one filter on Person, built once per request."""
    cached = user.__dict__.get("_joinedup_relationship_parts")
    if cached is not None:
        return cached
    parts = []
    if user.is_authenticated and user.is_active:
        memberships = user.active_memberships
        # One filter per relationship and consent kind, however many teams the user is in: a user in every PCN
        # gets `practice__pcn_id IN (...)`, not forty-one subqueries.
        by_consent: dict[str, list] = {}
        for membership in memberships:
            by_consent.setdefault(membership.consent_kind, []).append(membership)
        for rel in _RELATIONSHIPS:
            if rel.per_user:
                groups = [(None, None)]
            elif rel.needs_consent:
                groups = list(by_consent.items())
            else:
                groups = [(None, memberships)] if memberships else []
            for consent_kind, group in groups:
                part = rel.build(user, group)
                if part is None:
                    continue
                if consent_kind is not None:
                    part &= Q(**{f"consent_{consent_kind}": True})
                parts.append((rel, part))
    user.__dict__["_joinedup_relationship_parts"] = parts
    return parts


def _scope(user, perm: str | None) -> frozenset[str]:
    """Which of the user's relationships do not open `perm`: the key for everything cached below. For most users
    it is empty whatever the permission, so one filter (and one answer per person) serves every question."""
    return frozenset(rel.name for rel, _ in _parts(user) if not rel.allows(perm))


def _person_filter(user, perm: str | None = None) -> Q:
    excluded = _scope(user, perm)
    cache = user.__dict__.setdefault("_joinedup_person_filter", {})
    if excluded not in cache:
        # The region condition once, around every relationship that needs it, not once per relationship: the
        # planner then checks it once per person.
        in_region, anywhere = Q(pk__in=[]), Q(pk__in=[])
        for rel, part in _parts(user):
            if rel.name in excluded:
                continue
            if rel.within_region:
                in_region |= part
            else:
                anywhere |= part
        regions = user_regions(user)
        if regions:
            # A person with no registered practice is in no region; their relationships (a care team, a request,
            # an emergency access: each made with them by name) count as they are.
            anywhere |= in_region & (in_regions(regions) | Q(practice__isnull=True))
        cache[excluded] = anywhere
    return cache[excluded]


def visible_people(user, perm: str | None = None):
    """Every person this user has a legitimate relationship with, as a queryset. With `perm`: only those whose
    relationship opens that permission (an outreach worker finds on search only the people who share their record
    with the outreach provider's kind of organisation)."""
    Person = apps.get_model("people", "Person")
    return Person.objects.filter(_person_filter(user, perm))


# What the policy (and the user model beneath it) keeps on a user object for one request: the memberships, roles
# and permissions, each relationship's filter and the filters on Person built from them. Nothing about one person.
_BUILT = ("active_memberships", "roles", "permissions", "_joinedup_relationship_parts", "_joinedup_person_filter")


def relationships_built(user) -> dict:
    """Build the user's relationships and filter on Person, and hand them back to be kept beyond this request
    (a FHIR client's service account asks many times a second with the same memberships: fhir/accounts.py)."""
    visible_people(user)
    user.permissions  # noqa: B018 - computed now, so that it is kept with the rest
    return {name: user.__dict__[name] for name in _BUILT if name in user.__dict__}


def relationships_adopt(user, built: dict) -> None:
    """Give a fresh user object what relationships_built returned for the same account with the same memberships;
    the caller decides when that still holds. Answers about single persons start afresh."""
    user.__dict__.update(built)


def forget(user) -> None:
    """Drop what this request knows of the user's relationships after they change (consent, care team...)."""
    user.__dict__.pop("_joinedup_relationship_parts", None)
    user.__dict__.pop("_joinedup_person_filter", None)
    user.__dict__.pop("_joinedup_related", None)


def _role_grants(perm):
    @rules.predicate(name=f"role grants {perm}")
    def check(user):
        return user.is_authenticated and user.is_active and perm in user.permissions

    return check


def _is_related(user, person, perm: str | None) -> bool:
    if person is None:
        return True
    key = (_scope(user, perm), person.pk)
    known = user.__dict__.setdefault("_joinedup_related", {})
    if key not in known:
        known[key] = visible_people(user, perm).filter(pk=person.pk).exists()
    return known[key]


def _related_for(perm):
    @rules.predicate(name=f"has a relationship that opens {perm}")
    def check(user, person):
        return _is_related(user, person, perm)

    return check


def remember_related(user, person) -> None:
    """The person was just loaded through visible_people(user): the relationship is proven for this request."""
    user.__dict__.setdefault("_joinedup_related", {})[(_scope(user, None), person.pk)] = True


def consents_missing(user, person) -> list[str]:
    """The kinds of sharing this person has not agreed to that the user's access depends on, in words
    ("Voluntary and community organisations"), so a page can say why part of the record is hidden."""
    from joinedup.accounts.roles import ConsentKind

    kinds = {m.consent_kind for m in user.active_memberships} if user.is_authenticated else set()
    return [ConsentKind(k).label for k in sorted(kinds) if not getattr(person, f"consent_{k}", True)]


policy = rules.RuleSet()


def _register_rules():
    from joinedup.accounts.roles import ALL_PERMISSIONS

    for perm in ALL_PERMISSIONS:
        policy.add_rule(perm, _role_grants(perm) & _related_for(perm))


def may(user, perm: str, person=None) -> bool:
    """The single question every page, API endpoint and service asks."""
    if not policy:
        _register_rules()
    if perm not in policy:
        raise KeyError(f"Unknown permission {perm!r}")
    return policy.test_rule(perm, user, person)
