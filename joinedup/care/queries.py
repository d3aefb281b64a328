from .models import CareTeamMember


def care_team_for(*, person, include_past: bool = False):
    """The care team, each member with `involvements`: the services and roles that keep them on it (current
    ones for a current member; for a past member, those that ended with them). Two queries however many."""
    from .models import CareTeamInvolvement

    members = CareTeamMember.objects.filter(person=person).select_related("organisation", "user")
    if not include_past:
        members = members.filter(ended__isnull=True)
    members = list(members.order_by("-is_key_worker", "name"))
    involvements = CareTeamInvolvement.objects.filter(person=person)
    if not include_past:
        involvements = involvements.filter(ended__isnull=True)
    by_user: dict[int, list] = {}
    for involvement in involvements.order_by("started", "id"):
        by_user.setdefault(involvement.user_id, []).append(involvement)
    for member in members:
        mine = by_user.get(member.user_id, []) if member.user_id else []
        member.involvements = [i for i in mine if i.ended == member.ended]
    return members


def care_team_history_for(*, person):
    """Every service and role anyone has had with the person, newest first: who, how, from and to."""
    from .models import CareTeamInvolvement

    return list(CareTeamInvolvement.objects.filter(person=person).select_related("user").order_by("-started", "-id"))


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


# --- Plans, sharing, caseload, tasks, outcomes -----------------------------------------------------------------


def plan_versions_for(*, person):
    from .models import CarePlanVersion

    return list(
        CarePlanVersion.objects.filter(person=person).select_related("agreed_by", "updated_by").order_by("-number")
    )


def plan_version_for(*, person, number):
    """One version with its goals and actions (owners loaded, and whether each is done), or 404."""
    from django.db.models import Prefetch
    from django.http import Http404

    from .models import CarePlanVersion, PlanAction

    version = (
        CarePlanVersion.objects.filter(person=person, number=number)
        .select_related("agreed_by", "updated_by", "created_by")
        .prefetch_related(
            "goals", Prefetch("actions", PlanAction.objects.select_related("owner_organisation").with_completion())
        )
        .first()
    )
    if version is None:
        raise Http404("No such version of the plan")
    return version


def plan_action_for(*, person, pk):
    """An action in the person's current (latest agreed) plan, with whether it is done, or 404."""
    from django.db.models import Subquery
    from django.http import Http404

    from .models import CarePlanVersion, PlanAction, PlanStatus

    latest = CarePlanVersion.objects.filter(person=person, status=PlanStatus.AGREED).order_by("-number").values("pk")
    action = (
        PlanAction.objects.filter(version_id=Subquery(latest[:1]), pk=pk)
        .select_related("owner_organisation", "version__person")
        .with_completion()
        .first()
    )
    if action is None:
        raise Http404("No such action in the current plan")
    return action


def plan_action_completion_for(*, action):
    """The record of the action being done (who, when, note), or None while it is open."""
    from .models import PlanActionCompletion

    return PlanActionCompletion.objects.select_related("done_by").filter(action_id=action.first_row_id).first()


def plan_draft_for(*, person):
    from .models import CarePlanVersion, PlanStatus

    return CarePlanVersion.objects.filter(person=person, status=PlanStatus.DRAFT).first()


def plan_current_for(*, person):
    """The plan everyone works from: the latest agreed version, or None."""
    from .models import CarePlanVersion, PlanStatus

    number = (
        CarePlanVersion.objects.filter(person=person, status=PlanStatus.AGREED)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return plan_version_for(person=person, number=number) if number else None


def current_sharing(*, person) -> dict:
    """The person's current choice of what to share with each kind of organisation outside the NHS: from the
    latest agreed version (or the draft, before anything is agreed). Applies to every version shown."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import CarePlanVersion, PlanStatus

    agreed_first = Case(When(status=PlanStatus.AGREED, then=Value(0)), default=Value(1), output_field=IntegerField())
    row = (
        CarePlanVersion.objects.filter(person=person)
        .order_by(agreed_first, "-number")
        .values_list("sharing", flat=True)
        .first()
    )
    return row or {}


def visible_sections(*, user, person) -> frozenset[str]:
    """Which parts of the plan this user sees. Through an NHS membership: all of it. Through a VCFSE, local
    authority or peer support membership: only what the person agreed to share with that kind of
    organisation, and only while their consent to share with that kind holds."""
    from joinedup.accounts.roles import ConsentKind

    from .models import PlanSection

    kinds = {m.consent_kind for m in user.active_memberships}
    if ConsentKind.NHS in kinds:
        return frozenset(PlanSection.values)
    sharing = current_sharing(person=person)
    shown = set()
    for kind in kinds:
        if person.has_consent(kind):
            shown.update(sharing.get(kind, ()))
    return frozenset(shown)


def user_organisation_ids(user) -> set[int]:
    return {m.team.organisation_id for m in user.active_memberships}


def caseload_for(*, user):
    """The people this user is the active key worker for, with their plan status and next review date,
    overdue reviews first, then no agreed plan, then the soonest review. A fixed number of queries."""
    from django.db.models import Case, Exists, IntegerField, OuterRef, Subquery, Value, When
    from django.utils import timezone

    from joinedup.core.access import visible_people

    from .models import CarePlanVersion, LevelOfCareChange, PlanStatus

    today = timezone.localdate()
    agreed = CarePlanVersion.objects.filter(person=OuterRef("pk"), status=PlanStatus.AGREED).order_by("-number")
    mine = CareTeamMember.objects.filter(user=user, is_key_worker=True, ended__isnull=True).values("person_id")
    return list(
        visible_people(user)
        .filter(pk__in=mine)
        .select_related("practice")
        .annotate(
            review_date=Subquery(agreed.values("review_date")[:1]),
            agreed_number=Subquery(agreed.values("number")[:1]),
            has_draft=Exists(CarePlanVersion.objects.filter(person=OuterRef("pk"), status=PlanStatus.DRAFT)),
            level=Subquery(
                LevelOfCareChange.objects.filter(person=OuterRef("pk")).order_by("-at", "-id").values("level")[:1]
            ),
            rank=Case(
                When(review_date__lt=today, then=Value(0)),
                When(review_date__isnull=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("rank", "review_date", "family_name", "given_name", "pk")
    )


def plan_actions_for_user(*, user, scoped=True):
    """Open actions in people's current (latest agreed) plans owned by an organisation through which this
    user is on the person's care team. Scoped by the access policy, so withdrawn consent hides them (the task
    list passes scoped=False: it hides them itself, and tells the owner why)."""
    from django.db.models import F, OuterRef, Subquery

    from joinedup.core.access import visible_people

    from .models import CarePlanVersion, PlanAction, PlanStatus

    latest = (
        CarePlanVersion.objects.filter(person=OuterRef("version__person"), status=PlanStatus.AGREED)
        .order_by("-number")
        .values("pk")[:1]
    )
    teams = CareTeamMember.objects.filter(user=user, ended__isnull=True).values_list("person_id", "organisation_id")
    pairs = list(teams)
    if not pairs:
        return []
    # One filter on the people and one on the organisations (an OR per pair costs more to build than to run,
    # for a worker on hundreds of care teams); the few rows outside the pairs are dropped below.
    actions = (
        PlanAction.objects.filter(
            version__person_id__in={p for p, _ in pairs},
            owner_organisation_id__in={o for _, o in pairs},
            version__status=PlanStatus.AGREED,
            version_id=Subquery(latest),
        )
        .open()
        # One agreed at an EMDT discussion is already in its named owner's tasks, as the EMDT action.
        .filter(emdt_action__isnull=True, origin__emdt_action__isnull=True)
    )
    if scoped:
        actions = actions.filter(version__person__in=visible_people(user))
    wanted = set(pairs)
    return [
        a
        for a in actions.select_related("version__person", "owner_organisation")
        .annotate(person_id=F("version__person_id"))
        .order_by("due", "pk")
        if (a.person_id, a.owner_organisation_id) in wanted
    ]


def notifications_for(*, person):
    from .models import PersonNotification

    return list(PersonNotification.objects.filter(person=person).order_by("-created_at", "-id")[:20])


def key_worker_history_for(*, person):
    from .models import KeyWorkerChange

    return list(
        KeyWorkerChange.objects.filter(person=person)
        .select_related("previous", "new__organisation", "by")
        .order_by("-at", "-id")
    )


def dialog_history_for(*, person):
    """Every DIALOG assessment, oldest first, each with its ratings as {item: rating}."""
    from django.db.models import Prefetch

    from .models import DialogAssessment, DialogRating

    assessments = list(
        DialogAssessment.objects.filter(person=person)
        .prefetch_related(Prefetch("ratings", DialogRating.objects.order_by("item")))
        .order_by("taken_on", "id")
    )
    for a in assessments:
        a.by_item = {r.item: r for r in a.ratings.all()}
    return assessments


def goal_ratings_for(*, person):
    from .models import GoalRating

    return list(GoalRating.objects.filter(person=person).order_by("rated_on", "id"))


def reqol_scores_for(*, person):
    from .models import ReqolScore

    return list(ReqolScore.objects.filter(person=person).order_by("taken_on", "id"))


def dialog_mean_item_change(*, people=None) -> dict[int, dict]:
    """For reporting: per DIALOG item, the mean change from each person's first to latest assessment, over
    people with at least two assessments. `people` is a Person queryset (for example one area); None: all.
    Returns {item: {"people": n, "mean_change": float | None}}. Aggregates only: no person is named."""
    from django.db.models import Count, Max, Min

    from .models import DialogAssessment, DialogRating

    assessments = DialogAssessment.objects.all()
    if people is not None:
        assessments = assessments.filter(person__in=people)
    spans = (
        assessments.values("person_id")
        .annotate(n=Count("id"), first=Min("taken_on"), last=Max("taken_on"))
        .filter(n__gte=2)
    )
    firsts, lasts = {}, {}
    span_by_person = {s["person_id"]: s for s in spans}
    ratings = (
        DialogRating.objects.filter(assessment__person_id__in=list(span_by_person))
        .values_list("assessment__person_id", "assessment__taken_on", "assessment_id", "item", "score")
        .order_by("assessment__person_id", "assessment__taken_on", "assessment_id")
    )
    for person_id, taken_on, _aid, item, score in ratings:
        span = span_by_person[person_id]
        if taken_on == span["first"]:
            firsts.setdefault((person_id, item), score)
        if taken_on == span["last"]:
            lasts[(person_id, item)] = score
    result = {}
    for item in range(1, 12):
        changes = [lasts[k] - firsts[k] for k in firsts if k[1] == item and k in lasts]
        result[item] = {
            "people": len(changes),
            "mean_change": round(sum(changes) / len(changes), 2) if changes else None,
        }
    return result


def colleagues_for(*, user):
    """Staff in the user's own teams (and the user): who they might hand key working to."""
    from django.contrib.auth import get_user_model

    team_ids = [m.team_id for m in user.active_memberships]
    return list(
        get_user_model()
        .objects.filter(memberships__team_id__in=team_ids, memberships__ended__isnull=True, is_active=True)
        .distinct()
        .order_by("last_name", "first_name")
    )
