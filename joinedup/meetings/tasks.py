"""Each owner's open EMDT actions in their "My tasks"; overdue ones are flagged by the task list."""

from django.db.models import Q
from django.urls import reverse

from joinedup.core.tasks import PERSON_FIELDS, TaskItem, task_source
from joinedup.core.validators import format_nhs_number

from .models import Action


@task_source("emdt_actions")
def actions_for(user):
    # The task list hides those about people the owner may no longer see (core.tasks.task_list).
    from joinedup.care.models import CareTeamMember

    # Those owned by an organisation (no named person) go to each care team member from it, as plan actions do.
    pairs = set(
        CareTeamMember.objects.filter(user=user, ended__isnull=True).values_list("person_id", "organisation_id")
    )
    theirs = Q(owner=user)
    if pairs:
        theirs |= Q(
            owner__isnull=True,
            person_id__in={p for p, _ in pairs},
            owner_organisation_id__in={o for _, o in pairs},
        )
    actions = [
        a
        for a in Action.objects.filter(theirs, done_at__isnull=True)
        .select_related("person")
        .only("id", "description", "due", "person_id", "owner_id", "owner_organisation_id", *PERSON_FIELDS)
        .order_by("due")[:500]
        if a.owner_id is not None or (a.person_id, a.owner_organisation_id) in pairs
    ]
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
