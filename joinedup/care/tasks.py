"""Care plan actions in "My tasks": each action owned by an organisation goes to the care team members from
that organisation (registered from CareConfig.ready())."""

from django.urls import reverse

from joinedup.core.tasks import TaskItem, task_source
from joinedup.core.validators import format_nhs_number


@task_source("care plan actions")
def care_plan_actions(user) -> list[TaskItem]:
    from .queries import plan_actions_for_user

    items = []
    for action in plan_actions_for_user(user=user, scoped=False):
        person = action.version.person
        nhs = format_nhs_number(person.nhs_number) if person.nhs_number else ""
        items.append(
            TaskItem(
                source="Care plan action",
                description=action.description,
                due=action.due,
                link=reverse("care:plan", args=[person.pk]),
                person_label=f"{person.given_name} {person.family_name}" + (f" ({nhs})" if nhs else ""),
                person_id=person.pk,
            )
        )
    return items
