from .models import InboxItem


def open_items_for_user(user):
    """Open items handed to this member of staff, with what the list shows, in two queries at most."""
    return (
        InboxItem.objects.filter(to_user=user, done_at__isnull=True)
        .select_related("person")
        .order_by("due", "-created_at", "-id")
    )


def items_for_organisation(organisation, *, include_done=False):
    items = InboxItem.objects.filter(to_organisation=organisation).select_related("person", "seen_by", "done_by")
    if not include_done:
        items = items.filter(done_at__isnull=True)
    return items.order_by("-created_at", "-id")
