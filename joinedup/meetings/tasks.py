"""Each owner's open EMDT actions in their "My tasks"; overdue ones are flagged by the task list."""

from django.urls import reverse

from joinedup.core.tasks import PERSON_FIELDS, TaskItem, task_source
from joinedup.core.validators import format_nhs_number

from .models import Action


@task_source("emdt_actions")
def actions_for(user):
    # The task list hides those about people the owner may no longer see (core.tasks.task_list).
    actions = (
        Action.objects.filter(owner=user, done_at__isnull=True)
        .select_related("person")
        .only("id", "description", "due", "person_id", *PERSON_FIELDS)
        .order_by("due")[:500]
    )
    return [
        TaskItem(
            source="EMDT action",
            description=a.description,
            due=a.due,
            link=reverse("meetings:action", args=[a.person_id, a.pk]),
            person_label=f"{a.person.full_name} ({format_nhs_number(a.person.nhs_number) or 'no NHS number'})",
            person_id=a.person_id,
        )
        for a in actions
    ]
