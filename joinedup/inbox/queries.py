from joinedup.core.access import visible_people
from joinedup.core.tasks import PERSON_FIELDS, split_visible
from joinedup.directory.models import Organisation, Team, TeamKind

from .models import InboxItem


def open_items_for_user(user):
    """Open items handed to this member of staff, with what the list shows, in two queries at most."""
    return (
        InboxItem.objects.filter(to_user=user, done_at__isnull=True)
        .select_related("person")
        .only("id", "source", "why", "due", "link", "created_at", "person_id", *PERSON_FIELDS)
        .order_by("due", "-created_at", "-id")
    )


def items_for_organisation(organisation, *, include_done=False):
    items = InboxItem.objects.filter(to_organisation=organisation).select_related("person", "seen_by", "done_by")
    if not include_done:
        items = items.filter(done_at__isnull=True)
    return items.order_by("-created_at", "-id")


def practice_organisation(person) -> Organisation | None:
    """The organisation whose inbox is the person's GP practice's: the one its practice team belongs to."""
    if person.practice_id is None:
        return None
    team = (
        Team.objects.filter(kind=TeamKind.PRACTICE, practice_id=person.practice_id)
        .select_related("organisation")
        .order_by("code")
        .first()
    )
    return team.organisation if team else None


def practice_organisations_of(user) -> list[Organisation]:
    """The GP practices (as organisations) this member of staff works in."""
    seen, found = set(), []
    for m in user.active_memberships:
        if m.team.kind == TeamKind.PRACTICE and m.team.organisation_id not in seen:
            seen.add(m.team.organisation_id)
            found.append(m.team.organisation)
    return found


def practice_items_for(user, *, organisations):
    """Open items in these practices' inboxes, and the items left out because the user may no longer see the
    person (their count goes on the page, never who they are about)."""
    items = list(
        InboxItem.objects.filter(to_organisation__in=organisations, done_at__isnull=True)
        .select_related("person", "seen_by", "to_organisation")
        .order_by("-created_at", "-id")[:500]
    )
    shown, hidden = split_visible(user, items)
    return shown, hidden


def item_for(user, item_id):
    """An open or done item this user may act on: their own, or their practice's. None otherwise."""
    organisations = [o.pk for o in practice_organisations_of(user)]
    item = InboxItem.objects.select_related("person").filter(pk=item_id).first()
    if item is None:
        return None
    if item.to_user_id != user.pk and item.to_organisation_id not in organisations:
        return None
    if item.person_id and not visible_people(user).filter(pk=item.person_id).exists():
        return None
    return item
