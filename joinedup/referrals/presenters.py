"""What EMDT request pages show: states as tags, dates as people write them, waiting in days."""

from django.utils import timezone

from joinedup.core.dates import format_date
from joinedup.core.validators import format_nhs_number

from .models import RequestState, Urgency

STATE_TAG = {
    RequestState.SUBMITTED: "nhsuk-tag--blue",
    RequestState.MORE_INFORMATION_REQUESTED: "nhsuk-tag--yellow",
    RequestState.ACCEPTED: "nhsuk-tag--green",
    RequestState.DECLINED: "nhsuk-tag--red",
    RequestState.DISCUSSED: "nhsuk-tag--aqua-green",
    RequestState.CLOSED: "nhsuk-tag--grey",
}


def state_tag(state: str) -> dict:
    return {"text": RequestState(state).label, "classes": STATE_TAG[state]}


class RequestPresenter:
    def __init__(self, request):
        self.r = request

    def __getattr__(self, name):
        return getattr(self.r, name)

    @property
    def tag(self):
        return state_tag(self.r.state)

    @property
    def urgency_tag(self):
        if self.r.urgency == Urgency.URGENT:
            return {"text": "Urgent", "classes": "nhsuk-tag--red"}
        return {"text": "Routine", "classes": "nhsuk-tag--grey"}

    @property
    def made_on(self):
        return format_date(timezone.localtime(self.r.submitted_at))

    @property
    def waiting_days(self) -> int:
        return (timezone.localdate() - timezone.localtime(self.r.submitted_at).date()).days

    @property
    def waiting(self) -> str:
        days = self.waiting_days
        return "Today" if days == 0 else ("1 day" if days == 1 else f"{days} days")

    @property
    def service_names(self) -> str:
        return ", ".join(s.name for s in self.r.services.all())

    @property
    def person_label(self) -> str:
        p = self.r.person
        return f"{p.full_name} ({format_nhs_number(p.nhs_number) or 'no NHS number'})"

    @property
    def referrer_label(self) -> str:
        org = self.r.referrer_organisation
        return f"{self.r.referrer}" + (f", {org.name}" if org else "")


class TransitionPresenter:
    def __init__(self, row):
        self.row = row

    @property
    def when(self):
        return format_date(timezone.localtime(self.row.at)) + timezone.localtime(self.row.at).strftime(" at %H:%M")

    @property
    def what(self):
        if not self.row.from_state:
            return "Request made"
        return f"{RequestState(self.row.from_state).label} to {RequestState(self.row.to_state).label}"

    @property
    def by(self):
        return str(self.row.by)

    @property
    def note(self):
        return self.row.note
