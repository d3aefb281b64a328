"""Reads the API shares with nothing else yet, scoped by the access policy as the client's service account."""

from django.http import Http404

from joinedup.core.access import visible_people
from joinedup.directory.models import Organisation
from joinedup.people.queries import person_for


def patient_for(*, by, resource_id: str):
    """The person behind Patient/<id>, if the client may see them; 404 otherwise, so existence is not revealed."""
    if not resource_id.isdigit() or len(resource_id) > 18:
        raise Http404("No such patient")
    return person_for(by=by, pk=int(resource_id))


def patients_matching(*, by, search):
    """One page of the people this client may see that match, and the total when asked for."""
    people = visible_people(by).select_related("practice")
    for condition in search.filters:
        people = people.filter(condition)
    return _page(people.order_by("family_name", "given_name", "pk"), search)


def organisation_for(*, resource_id: str) -> Organisation:
    """The region's directory is reference data: any client may read it."""
    if not resource_id.isdigit() or len(resource_id) > 18:
        raise Http404("No such organisation")
    try:
        return Organisation.objects.get(pk=int(resource_id))
    except Organisation.DoesNotExist:
        raise Http404("No such organisation") from None


def organisations_matching(*, search):
    organisations = Organisation.objects.all()
    for condition in search.filters:
        organisations = organisations.filter(condition)
    return _page(organisations.order_by("name", "pk"), search)


def _page(queryset, search):
    """(rows, total or None, whether there is a next page)."""
    rows = list(queryset[search.offset : search.offset + search.count + 1]) if search.count else []
    more = len(rows) > search.count
    total = queryset.count() if search.total != "none" else None
    if search.count == 0 and total is None:
        more = False
    return rows[: search.count], total, more
