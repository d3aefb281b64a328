"""EMDT members see the people on their team's agendas; an action's owner sees the person it is about."""

from django.db.models import Q

from joinedup.core.access import relationship
from joinedup.directory.models import TeamKind


@relationship("on my EMDT's agenda")
def emdt_agenda(user, memberships):
    from .models import AgendaItem

    teams = sorted({m.team_id for m in memberships if m.team.kind == TeamKind.EMDT})
    if not teams:
        return None
    return Q(pk__in=AgendaItem.objects.filter(meeting__team_id__in=teams).values("person_id"))


@relationship("owner of an EMDT action")
def emdt_action_owner(user, memberships):
    from .models import Action

    # Through the organisation the action was given to, so the consent for that kind of organisation applies.
    organisations = sorted({m.team.organisation_id for m in memberships})
    return Q(
        pk__in=Action.objects.filter(owner=user, done_at__isnull=True, owner_organisation_id__in=organisations).values(
            "person_id"
        )
    )
