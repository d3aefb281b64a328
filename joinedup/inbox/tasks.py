"""Items handed to a member of staff, in their "My tasks" (registered from InboxConfig.ready())."""

from joinedup.core.tasks import TaskItem, task_source
from joinedup.core.validators import format_nhs_number


@task_source("handed-over tasks")
def handed_over(user) -> list[TaskItem]:
    from .queries import open_items_for_user

    items = []
    for item in open_items_for_user(user):
        person = item.person
        label = ""
        if person is not None:
            nhs = format_nhs_number(person.nhs_number) if person.nhs_number else ""
            label = f"{person.given_name} {person.family_name}" + (f" ({nhs})" if nhs else "")
        items.append(
            TaskItem(
                source=item.source,
                description=item.why,
                due=item.due,
                link=item.link,
                person_label=label,
                person_id=person.pk if person else None,
            )
        )
    return items
