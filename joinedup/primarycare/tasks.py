"""The MHP's tasks: GP questions waiting in their PCN, and trainee sessions waiting for their review."""

from django.urls import reverse

from joinedup.accounts.roles import Perm
from joinedup.core.access import may
from joinedup.core.tasks import TaskItem, task_source


@task_source("primary care")
def primary_care_tasks(user) -> list[TaskItem]:
    from . import queries
    from .presenters import person_label

    items = []
    if may(user, Perm.PC_MANAGE_CASELOAD):
        for r in queries.waiting_requests_for(by=user, pcns=queries.pcns_for(user)):
            items.append(
                TaskItem(
                    source="GP question",
                    description=f"Answer {r.asked_by.get_full_name() or r.asked_by.username}'s question",
                    due=None,
                    link=reverse("primarycare:person", args=[r.person_id]),
                    person_label=person_label(r.person),
                    person_id=r.person_id,
                )
            )
    if may(user, Perm.PC_SUPERVISE):
        for s in queries.sessions_to_review_for(by=user):
            items.append(
                TaskItem(
                    source="Session to review",
                    description=f"Review session {s.number} delivered by {s.delivered_by.get_full_name()}",
                    due=None,
                    link=reverse("primarycare:review", args=[s.person_id, s.pk]),
                    person_label=person_label(s.person),
                    person_id=s.person_id,
                )
            )
    return items
