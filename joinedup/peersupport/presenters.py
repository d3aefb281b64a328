"""What the peer support pages show: dates as "3 March 2026", labels from the reference data, change as +2."""

from joinedup.core.dates import format_date

from . import reference


def category_label(code: str) -> str:
    return reference.categories().get(code, code)


def change_text(change) -> str:
    if change is None:
        return "Not yet"
    if change > 0:
        return f"Up {change}"
    if change < 0:
        return f"Down {-change}"
    return "No change"


def ratings_text(ratings) -> str:
    """ "Start 2 (3 March 2026), review 3 (...)"."""
    stages = reference.stages()
    return ", ".join(f"{stages.get(stage, stage)} {score} ({format_date(on)})" for stage, on, score in ratings)


class OfferPresenter:
    def __init__(self, offer):
        self.offer = offer

    def __getattr__(self, name):
        return getattr(self.offer, name)

    @property
    def category_label(self):
        return category_label(self.offer.category)

    @property
    def contact_details(self):
        return " · ".join(x for x in (self.offer.phone, self.offer.email) if x)


class WorkerPresenter:
    def __init__(self, worker):
        self.worker = worker

    def __getattr__(self, name):
        return getattr(self.worker, name)

    @property
    def name(self):
        return self.worker.user.get_full_name()

    @property
    def localities_text(self):
        return ", ".join(sorted(loc.name for loc in self.worker.localities.all())) or "None"

    @property
    def caseload_text(self):
        held = getattr(self.worker, "caseload", None)
        return f"{held} of {self.worker.caseload_limit}" if held is not None else str(self.worker.caseload_limit)
