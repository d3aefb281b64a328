"""Items handed to a member of staff, in their "My tasks" (registered from InboxConfig.ready())."""

from joinedup.core.tasks import TaskItem, task_source
from joinedup.core.validators import format_nhs_number


def person_label(person) -> str:
    if person is None:
        return ""
    nhs = format_nhs_number(person.nhs_number) if person.nhs_number else ""
    return f"{person.given_name} {person.family_name}" + (f" ({nhs})" if nhs else "")


@task_source("handed-over tasks")
def handed_over(user) -> list[TaskItem]:
    from .queries import open_items_for_user

    return [
        TaskItem(
            source=item.source,
            description=item.why,
            due=item.due,
            link=item.link,
            person_label=person_label(item.person),
            person_id=item.person_id,
            inbox_item_id=item.pk,
        )
        for item in open_items_for_user(user)[:1000]
    ]
