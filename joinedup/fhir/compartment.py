"""Read, search and history of the resources in a patient's compartment, whatever table each comes from.

A resource type is served from one or more *sources* (Encounter: EMDT case discussions, primary care sessions and
peer support contacts). Each source names the permission it needs, reads its rows for the people asked for, finds
one row by the rest of its id, and maps a row to the resource (a dict, validated by fhir.resources on the way
out). Ids are `<prefix>-<row>` (`session-7`); the source without a prefix takes every other id.

The access policy decides everything, as for a member of staff: the person must be one the client's service
account may see (`visible_people`) and whose relationship opens the source's permission (`may`). A source the
client's role cannot see is left out of a search; asked for by id it is a 403. Every resource read, and every
person in a page of results, leaves an audit event under the client's account.

Searches name the patient (`patient` is required), so each reads one person's record: the rows are mapped and
then filtered (`search.Match`) and paged in memory. Population-level reads are Bulk Data's job.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.http import Http404

from joinedup.core.access import may, visible_people
from joinedup.core.audit import audit_list, audit_record
from joinedup.core.models import AuditAction
from joinedup.core.paging import row_id

from .queries import page_of
from .resources import ResourceType
from .responses import FhirError


@dataclass(frozen=True)
class Source:
    prefix: str  # "" for the source that takes ids without a prefix
    perm: str
    rows: Callable[[list[int]], Iterable]  # person ids -> rows
    one: Callable[[str], object | None]  # the id after the prefix -> the row, or None
    person_of: Callable[[object], int]
    resource: Callable[[object], dict]  # row -> resource (as a dict, id without the prefix added)
    versions: Callable[[object], list[dict]] | None = None  # row -> every version of the resource, newest first
    section: str = ""  # the care plan section (care.PlanSection) the person must share with the client's kind


@dataclass(frozen=True)
class Compartment:
    type: ResourceType
    sources: tuple[Source, ...] = field(default_factory=tuple)

    def source_for(self, resource_id: str) -> tuple[Source, str]:
        prefix, dash, rest = resource_id.partition("-")
        for source in self.sources:
            if source.prefix and dash and source.prefix == prefix:
                return source, rest
        for source in self.sources:
            if not source.prefix:
                return source, resource_id
        raise Http404("No such resource")


def with_id(source: Source, resource: dict) -> dict:
    if source.prefix:
        resource["id"] = f"{source.prefix}-{resource['id']}"
    return resource


def by_pk(queryset) -> Callable[[str], object | None]:
    """`one` for a source whose id is the row's id."""

    def one(text: str):
        pk = row_id(text)
        return None if pk is None else queryset.filter(pk=pk).first()

    return one


def _one_visible(request, by, compartment: Compartment, resource_id: str):
    """(source, row, person) for a resource the client may read; 404/403 as the access policy says."""
    if len(resource_id) > 64:
        raise Http404("No such resource")
    source, rest = compartment.source_for(resource_id)
    row = source.one(rest)
    if row is None:
        raise Http404("No such resource")
    person = visible_people(by).filter(pk=source.person_of(row)).first()
    if person is None:
        raise Http404("No such resource")
    if not may(by, source.perm, person) or not _shares(by, source, person):
        raise FhirError(403, "forbidden", f"The client's organisation may not read this {compartment.type.name}")
    return source, row, person


def _shares(by, source: Source, person) -> bool:
    """Parts of the care plan reach organisations outside the NHS only as the person chose (care's own rule)."""
    if not source.section:
        return True
    from joinedup.care.queries import visible_sections

    return source.section in visible_sections(user=by, person=person)


def read(request, by, compartment: Compartment, resource_id: str) -> dict:
    source, row, person = _one_visible(request, by, compartment, resource_id)
    name = compartment.type.name
    audit_record(by=by, action=AuditAction.VIEW, what=f"FHIR {name}", person=person, request=request)
    return with_id(source, source.resource(row))


def history(request, by, compartment: Compartment, resource_id: str) -> list[dict]:
    """Every version of one resource, newest first."""
    source, row, person = _one_visible(request, by, compartment, resource_id)
    if source.versions is None:
        raise FhirError(404, "not-supported", f"{compartment.type.name} has no history here")
    name = compartment.type.name
    audit_record(by=by, action=AuditAction.VIEW, what=f"FHIR {name} history", person=person, request=request)
    return [with_id(source, v) for v in source.versions(row)]


def search(request, by, compartment: Compartment, parsed) -> tuple[list[dict], int | None, bool]:
    """One page of the resources of the named patients that match, the total, and whether there is more."""
    sources = [s for s in compartment.sources if may(by, s.perm)]
    if not sources:
        raise FhirError(403, "forbidden", f"The client's organisation may not search {compartment.type.name}")
    wanted = sorted(parsed.patients or ())
    found: list[tuple[int, dict]] = []
    for source in sources:
        people = [p.pk for p in visible_people(by, source.perm).filter(pk__in=wanted) if _shares(by, source, p)]
        if not people:
            continue
        for row in source.rows(people):
            resource = with_id(source, source.resource(row))
            if parsed.matches(resource):
                found.append((source.person_of(row), resource))
    page, total, more = page_of(found, parsed)
    audit_list(
        by=by,
        what=f"FHIR {compartment.type.name} search",
        person_ids=[person_id for person_id, _ in page],
        request=request,
        action=AuditAction.SEARCH,
    )
    return [resource for _, resource in page], total, more
