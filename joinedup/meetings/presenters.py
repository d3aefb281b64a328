"""What meeting pages show: meetings as people say them, places taken, overdue actions."""

from django.utils import timezone

from joinedup.core.dates import format_date


def meeting_when(meeting) -> str:
    local = timezone.localtime(meeting.starts_at)
    return f"{local.strftime('%A')} {format_date(local)} at {local.strftime('%H:%M')}"


def meeting_where(meeting) -> str:
    parts = [meeting.place] if meeting.place else []
    if meeting.video_link:
        parts.append("video call")
    return " and ".join(parts) or "Not set"


def places(meeting) -> str:
    taken = getattr(meeting, "taken", None)
    if taken is None:
        from .models import TAKES_A_PLACE

        taken = meeting.items.filter(state__in=TAKES_A_PLACE).count()
    return f"{taken} of {meeting.capacity} places taken"


def meeting_label(meeting) -> str:
    return f"{meeting_when(meeting)}, {meeting_where(meeting)} ({places(meeting)})"


def with_labels(meetings):
    for m in meetings:
        m.label = meeting_label(m)
    return meetings


def due_tag(action) -> dict | None:
    if action.done_at is not None:
        return {"text": "Done", "classes": "nhsuk-tag--green"}
    if action.overdue:
        return {"text": "Overdue", "classes": "nhsuk-tag--red"}
    return None
