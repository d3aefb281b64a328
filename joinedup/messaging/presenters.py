"""What the messaging pages show of a message."""

from django.utils import timezone

from joinedup.core.dates import format_date

from .models import Status
from .purposes import PURPOSES

TAG = {
    Status.QUEUED: "nhsuk-tag--grey",
    Status.SENDING: "nhsuk-tag--blue",
    Status.SENT: "nhsuk-tag--blue",
    Status.DELIVERED: "nhsuk-tag--green",
    Status.FAILED: "nhsuk-tag--red",
    Status.GAVE_UP: "nhsuk-tag--red",
    Status.WITHHELD: "nhsuk-tag--yellow",
    Status.CANCELLED: "nhsuk-tag--grey",
}


def when(value) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{format_date(local)} {local:%H:%M}"


class MessagePresenter:
    def __init__(self, message):
        self.message = message
        self.pk = message.pk
        self.purpose = PURPOSES.get(message.purpose).label if message.purpose in PURPOSES else message.purpose
        self.channel = message.get_channel_display() or "None"
        self.status = message.get_status_display()
        self.tag = TAG.get(message.status, "nhsuk-tag--grey")
        self.created = when(message.created_at)
        self.finished = when(message.finished_at or message.sent_at)
        self.why = message.why
        self.attempts = message.attempts
