"""One task list per member of staff, fed by every app.

Apps do not copy their actions into a shared table: each registers a source that returns the open tasks it
holds for a user (EMDT actions, care plan actions, health check follow-ups...), and the "My tasks" page
merges them, overdue first.

Whether the owner may still see the person a task is about is decided here, once for the whole list, through the
one access policy (one query however many tasks): a task about someone the owner can no longer see (consent
withdrawn, left the care team) is hidden and the owner is told why, without naming the person.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass(frozen=True)
class TaskItem:
    source: str  # e.g. "EMDT action"
    description: str
    due: dt.date | None
    link: str
    person_label: str = ""  # e.g. "Zoë Ashworth (999 000 0018)"; empty when not about one person
    person_id: int | None = None  # whose task it is, for the audit trail of who was shown on "My tasks"
    inbox_item_id: int | None = None  # a handed-over task, marked done from the list itself

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()


@dataclass(frozen=True)
class TaskList:
    tasks: list[TaskItem]
    hidden: list[str] = field(default_factory=list)  # why tasks were left out, one sentence per reason


_SOURCES: list[tuple[str, Callable]] = []
TASKS_PAGE = 50  # tasks on one page of "My tasks"
# What a task shows of its person: sources load only these (`.only(...)`), not the whole record.
PERSON_FIELDS = ("person__given_name", "person__family_name", "person__nhs_number")


def task_source(name: str):
    """Register `fn(user) -> list[TaskItem]` of the user's open tasks. Each source must scope by the user; it need
    not check the person's consent: `task_list` hides tasks about people the user can no longer see."""

    def register(fn):
        if all(n != name for n, _ in _SOURCES):
            _SOURCES.append((name, fn))
        return fn

    return register


def hidden_reasons(user, counts: dict[int, int], *, noun="task") -> list[str]:
    """Why the tasks about these people (person id -> number of tasks), whom the user can no longer see, are
    hidden: one sentence per reason, never naming the person. One query, for the hidden people only."""
    from django.apps import apps

    from .access import consents_missing

    Person = apps.get_model("people", "Person")
    by_reason: dict[str, int] = {}
    for person in Person.objects.filter(pk__in=counts):
        missing = consents_missing(user, person)
        if missing:
            why = f"the person it is about no longer shares their record with {missing[0][:1].lower()}{missing[0][1:]}"
        else:
            why = "the person it is about is no longer in your care or your organisation's"
        by_reason[why] = by_reason.get(why, 0) + counts[person.pk]
    return [f"{n} {noun}{'s' if n != 1 else ''} hidden: {why}." for why, n in sorted(by_reason.items())]


def split_visible(user, items, person_id=lambda item: item.person_id):
    """Split things about people into those the user may still see and, for the rest, how many there are per
    person: (shown, {person id: count}). One query, however many items."""
    from .access import visible_people

    about = {person_id(i) for i in items if person_id(i) is not None}
    visible = set(visible_people(user).filter(pk__in=about).values_list("pk", flat=True)) if about else set()
    shown, hidden = [], {}
    for item in items:
        pid = person_id(item)
        if pid is None or pid in visible:
            shown.append(item)
        else:
            hidden[pid] = hidden.get(pid, 0) + 1
    return shown, hidden


def task_list(user) -> TaskList:
    shown, hidden = split_visible(user, [item for _, source in _SOURCES for item in source(user)])
    far = dt.date.max
    return TaskList(
        sorted(shown, key=lambda t: (not t.overdue, t.due or far, t.description)),
        hidden_reasons(user, hidden) if hidden else [],
    )


def tasks_for(user) -> list[TaskItem]:
    return task_list(user).tasks
