"""The one access policy: may this user do this to this person's data?

Two questions, both must be yes:
1. Does one of the user's roles carry the permission at all? (joinedup/accounts/roles.py)
2. Does the user have a legitimate relationship with the person? A relationship comes from one of the
   user's team memberships (the person's practice, PCN, care team, a request to their team, their
   worklist... each app registers its own below) or from a recorded emergency access. Relationships held
   through a non-NHS organisation, a peer support role or the NHS outside the person's own practice
   count only while the person consents to sharing with that kind of organisation.

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


_RELATIONSHIPS: list[Relationship] = []


def relationship(name: str, *, needs_consent: bool = True, per_user: bool = False):
    """Register a kind of legitimate relationship. Apps call this from their access.py at start-up."""

    def register(build):
        if any(r.name == name for r in _RELATIONSHIPS):
            raise ValueError(f"Relationship {name!r} registered twice")
        _RELATIONSHIPS.append(Relationship(name, build, needs_consent, per_user))
        return build

    return register


def registered_relationships() -> tuple[str, ...]:
    return tuple(r.name for r in _RELATIONSHIPS)


def _person_filter(user) -> Q:
    cached = getattr(user, "_joinedup_person_filter", None)
    if cached is not None:
        return cached
    q = Q(pk__in=[])
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
                q |= part
    user._joinedup_person_filter = q
    return q


def visible_people(user):
    """Every person this user has a legitimate relationship with, as a queryset."""
    Person = apps.get_model("people", "Person")
    return Person.objects.filter(_person_filter(user))


def forget(user) -> None:
    """Drop what this request knows of the user's relationships after they change (consent, care team...)."""
    user.__dict__.pop("_joinedup_person_filter", None)
    user.__dict__.pop("_joinedup_related", None)


def _role_grants(perm):
    @rules.predicate(name=f"role grants {perm}")
    def check(user):
        return user.is_authenticated and user.is_active and perm in user.permissions

    return check


@rules.predicate(name="has a legitimate relationship")
def is_related(user, person):
    if person is None:
        return True
    known = user.__dict__.setdefault("_joinedup_related", {})
    if person.pk not in known:
        known[person.pk] = visible_people(user).filter(pk=person.pk).exists()
    return known[person.pk]


def remember_related(user, person) -> None:
    """The person was just loaded through visible_people(user): the relationship is proven for this request."""
    user.__dict__.setdefault("_joinedup_related", {})[person.pk] = True


policy = rules.RuleSet()


def _register_rules():
    from joinedup.accounts.roles import ALL_PERMISSIONS

    for perm in ALL_PERMISSIONS:
        policy.add_rule(perm, _role_grants(perm) & is_related)


def may(user, perm: str, person=None) -> bool:
    """The single question every page, API endpoint and service asks."""
    if not policy:
        _register_rules()
    if perm not in policy:
        raise KeyError(f"Unknown permission {perm!r}")
    return policy.test_rule(perm, user, person)
