"""Reads the API shares with nothing else yet, scoped by the access policy as the client's service account."""

from django.http import Http404

from joinedup.core.access import remember_related, visible_people
from joinedup.core.paging import row_id
from joinedup.directory.models import Organisation


def _pk(resource_id: str, what: str) -> int:
    """A resource id as a row's id; 404 for anything that cannot be one (FHIR ids here are ASCII digits)."""
    pk = row_id(resource_id)
    if pk is None:
        raise Http404(f"No such {what}")
    return pk


def patient_for(*, by, resource_id: str):
    """The person behind Patient/<id>, if the client may see them; 404 otherwise, so existence is not revealed.
    One query: a Patient needs the practice and nothing of what the record page shows (people.queries.person_for)."""
    person = visible_people(by).select_related("practice").filter(pk=_pk(resource_id, "patient")).first()
    if person is None:
        raise Http404("No such patient")
    remember_related(by, person)
    return person


def patients_matching(*, by, search):
    """One page of the people this client may see that match, and the total when asked for."""
    people = visible_people(by).select_related("practice")
    for condition in search.filters:
        people = people.filter(condition)
    return _page(people.order_by("family_name", "given_name", "pk"), search)


def organisation_for(*, resource_id: str) -> Organisation:
    """The region's directory is reference data: any client may read it."""
    pk = _pk(resource_id, "organisation")
    try:
        return Organisation.objects.get(pk=pk)
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


def register_entries_matching(*, by, search):
    from joinedup.healthchecks.models import RegisterEntry

    entries = RegisterEntry.objects.filter(person__in=visible_people(by))
    for condition in search.filters:
        entries = entries.filter(condition)
    return _page(entries.select_related("person").order_by("id"), search)


def register_entry_for(*, by, resource_id: str):
    from joinedup.healthchecks.models import RegisterEntry

    pk = _pk(resource_id, "condition")
    try:
        return RegisterEntry.objects.select_related("person").get(pk=pk, person__in=visible_people(by))
    except RegisterEntry.DoesNotExist:
        raise Http404("No such condition") from None


def page_of(items: list, search):
    """Paging over a list already in memory, as `_page` does over a queryset."""
    total = len(items) if search.total != "none" else None
    rows = items[search.offset : search.offset + search.count] if search.count else []
    return rows, total, search.count > 0 and len(items) > search.offset + search.count


def people_for(*, by, pks) -> list:
    """The people among `pks` this client may see (for `_include` of a search's subjects)."""
    return list(visible_people(by).filter(pk__in=pks).select_related("practice").order_by("pk"))


def _staff():
    """Staff accounts: not the service accounts of system clients."""
    from joinedup.accounts.models import User

    return User.objects.filter(fhir_client__isnull=True, is_active=True)


def practitioner_for(*, resource_id: str):
    pk = _pk(resource_id, "practitioner")
    user = _staff().filter(pk=pk).first()
    if user is None:
        raise Http404("No such practitioner")
    return user


def practitioners_matching(*, search):
    users = _staff()
    for condition in search.filters:
        users = users.filter(condition)
    return _page(users.order_by("last_name", "first_name", "pk"), search)


def _memberships():
    from joinedup.accounts.models import Membership

    return Membership.objects.filter(user__fhir_client__isnull=True, user__is_active=True).select_related(
        "user", "team__organisation"
    )


def practitioner_role_for(*, resource_id: str):
    pk = _pk(resource_id, "practitioner role")
    membership = _memberships().filter(pk=pk).first()
    if membership is None:
        raise Http404("No such practitioner role")
    return membership


def practitioner_roles_matching(*, search):
    rows = _memberships()
    for condition in search.filters:
        rows = rows.filter(condition)
    return _page(rows.order_by("pk"), search)


def _audit_trail(by):
    """The part of the audit trail an information governance client reviews: its own regions' (as the IG lead's
    audit search, core.queries.in_regions_trail)."""
    from joinedup.core.access import user_regions
    from joinedup.core.models import AuditEvent
    from joinedup.core.queries import in_regions_trail

    return AuditEvent.objects.filter(in_regions_trail(user_regions(by)))


def audit_event_for(*, by, resource_id: str):
    pk = _pk(resource_id, "audit event")
    event = _audit_trail(by).filter(pk=pk).first()
    if event is None:
        raise Http404("No such audit event")
    return event


def audit_events_matching(*, by, search):
    events = _audit_trail(by)
    for condition in search.filters:
        events = events.filter(condition)
    return _page(events.order_by("-at", "-id"), search)


def export_job_for(*, client, job_id: str):
    """A client's own export; any other id is a 404."""
    from .models import ExportJob

    job = ExportJob.objects.filter(pk=job_id[:40], client=client).first()
    if job is None:
        raise Http404("No such export")
    return job
