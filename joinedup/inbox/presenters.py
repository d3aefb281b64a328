"""What the practice inbox shows for an item: who it is about, what happened, and who saw it when."""

from django.utils import timezone

from joinedup.core.dates import format_date

from .tasks import person_label


class InboxRow:
    def __init__(self, item):
        self.item = item
        self.id = item.pk
        self.source = item.source
        self.why = item.why
        self.link = item.link
        self.person = person_label(item.person)
        self.sent = format_date(timezone.localtime(item.created_at).date())
        self.practice = item.to_organisation.name if item.to_organisation_id else ""

    @property
    def seen(self) -> str:
        item = self.item
        if item.seen_at is None:
            return ""
        who = item.seen_by.get_full_name() or item.seen_by.username if item.seen_by else "someone"
        return f"Seen by {who} on {format_date(timezone.localtime(item.seen_at).date())}"
