"""The referrer's task: answer an EMDT's question about their request."""

from django.urls import reverse

from joinedup.core.tasks import PERSON_FIELDS, TaskItem, task_source
from joinedup.core.validators import format_nhs_number

from .models import EmdtRequest, RequestState


@task_source("emdt_questions")
def questions_for(user):
    waiting = (
        EmdtRequest.objects.filter(referrer=user, state=RequestState.MORE_INFORMATION_REQUESTED)
        .select_related("person", "team")
        .only("id", "person_id", "state_changed_at", "team__name", *PERSON_FIELDS)
        .order_by("state_changed_at")[:200]
    )
    return [
        TaskItem(
            source="EMDT request",
            description=f"Answer {r.team.name}'s question",
            due=None,
            link=reverse("referrals:answer", args=[r.person_id, r.pk]),
            person_label=f"{r.person.full_name} ({format_nhs_number(r.person.nhs_number) or 'no NHS number'})",
            person_id=r.person_id,
        )
        for r in waiting
    ]
