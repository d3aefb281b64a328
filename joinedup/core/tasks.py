"""One task list per member of staff, fed by every app.

Apps do not copy their actions into a shared table: each registers a source that returns the open tasks it
holds for a user (EMDT actions, care plan actions, health check follow-ups...), and the "My tasks" page
merges them, overdue first.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class TaskItem:
    source: str  # e.g. "EMDT action"
    description: str
    due: dt.date | None
    link: str
    person_label: str = ""  # e.g. "Zoë Ashworth (999 000 0018)"; empty when not about one person
    person_id: int | None = None  # whose task it is, for the audit trail of who was shown on "My tasks"

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()


_SOURCES: list[tuple[str, Callable]] = []


def task_source(name: str):
    """Register `fn(user) -> list[TaskItem]` of the user's open tasks. Each source must scope by the user."""

    def register(fn):
        if all(n != name for n, _ in _SOURCES):
            _SOURCES.append((name, fn))
        return fn

    return register


def tasks_for(user) -> list[TaskItem]:
    items = [item for _, source in _SOURCES for item in source(user)]
    far = dt.date.max
    return sorted(items, key=lambda t: (not t.overdue, t.due or far, t.description))
