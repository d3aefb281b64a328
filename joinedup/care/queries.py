from .models import CareTeamMember


def care_team_for(*, person, include_past: bool = False):
    members = CareTeamMember.objects.filter(person=person).select_related("organisation", "user")
    if not include_past:
        members = members.filter(ended__isnull=True)
    return list(members.order_by("-is_key_worker", "name"))


def key_worker_for(*, person):
    return (
        CareTeamMember.objects.filter(person=person, is_key_worker=True, ended__isnull=True)
        .select_related("organisation")
        .first()
    )


def care_team_member_for(*, person, pk):
    from django.http import Http404

    try:
        return CareTeamMember.objects.select_related("person", "organisation").get(person=person, pk=pk)
    except (CareTeamMember.DoesNotExist, ValueError):
        raise Http404("No care team member found") from None


def level_of_care_for(*, person):
    """The current level (the latest change), or None."""
    from .models import LevelOfCareChange

    return LevelOfCareChange.objects.filter(person=person).order_by("-at", "-id").first()


def level_of_care_history_for(*, person):
    from .models import LevelOfCareChange

    return list(LevelOfCareChange.objects.filter(person=person).select_related("decided_by").order_by("-at", "-id"))
