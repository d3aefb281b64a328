"""Health check tasks for "My tasks": follow-ups to see through, booking reminders, hard-to-reach notices."""

from django.urls import reverse

from joinedup.core.tasks import TaskItem, task_source
from joinedup.core.validators import format_nhs_number


def _label(person):
    return f"{person.given_name} {person.family_name} ({format_nhs_number(person.nhs_number)})"


@task_source("health checks")
def health_check_tasks(user):
    from .models import FollowUp, Reminder

    if not user.is_authenticated:
        return []
    items = []
    for f in FollowUp.objects.filter(owner=user, status=FollowUp.Status.OPEN).select_related("person")[:200]:
        items.append(
            TaskItem(
                source="Health check follow-up",
                description=f"{f.action} ({f.reason})",
                due=f.due,
                link=reverse("healthchecks:person", args=[f.person_id]),
                person_label=_label(f.person),
                person_id=f.person_id,
            )
        )
    for r in Reminder.objects.filter(owner=user, done_at__isnull=True).select_related("person")[:200]:
        items.append(
            TaskItem(
                source="Health check",
                description=r.text,
                due=r.due,
                link=reverse("healthchecks:person", args=[r.person_id]),
                person_label=_label(r.person),
                person_id=r.person_id,
            )
        )
    return items
