"""Where each patient-compartment resource comes from: the tables (read-only, through each app's models), the
permission each needs under the one access policy, and the mapper. compartment.py reads, searches and audits."""

import json

from django.db.models import Q

from joinedup.accounts.roles import ConsentKind, Perm
from joinedup.care.models import (
    CarePlanVersion,
    CareTeamMember,
    DialogAssessment,
    DialogRating,
    GoalRating,
    LevelOfCareChange,
    PlanAction,
    PlanActionCompletion,
    PlanGoal,
    PlanSection,
    PlanStatus,
)
from joinedup.core.paging import row_id
from joinedup.healthchecks.models import Booking, FollowUp, HealthCheck
from joinedup.meetings.models import Action, CaseDiscussion
from joinedup.peersupport.models import Contact
from joinedup.people.models import CommunicationNeed, ConsentDecision, Person
from joinedup.primarycare.models import Session
from joinedup.referrals.models import EmdtRequest

from . import resources as r
from .compartment import Compartment, Source, by_pk
from .mappers import activity, care, emdt, outcomes
from .mappers.observation import element_named, elements_of, observation_data

AGREED = PlanStatus.AGREED


def _person(row) -> int:
    return row.person_id


def person_source(prefix: str, perm: str, queryset, order: tuple, resource, *, section: str = "") -> Source:
    """A source whose rows are a model's own rows about a person (`person_id`), read by id."""
    return Source(
        prefix,
        perm,
        rows=lambda people: queryset.filter(person__in=people).order_by(*order),
        one=by_pk(queryset),
        person_of=_person,
        resource=resource,
        section=section,
    )


def _dump(model) -> dict:
    return json.loads(model.model_dump_json())


# --- CareTeam: one per person ---------------------------------------------------------------------------------


def _care_team(person) -> dict:
    members = CareTeamMember.objects.filter(person=person, ended__isnull=True).order_by("-is_key_worker", "name")
    return care.care_team_resource(person, list(members))


CARE_TEAM = Compartment(
    r.CARE_TEAM,
    (
        Source(
            "",
            Perm.VIEW_RECORD,
            rows=lambda people: Person.objects.filter(pk__in=people).order_by("pk"),
            one=by_pk(Person.objects.all()),
            person_of=lambda person: person.pk,
            resource=_care_team,
        ),
    ),
)

# --- EpisodeOfCare: each level of care, from one change to the next --------------------------------------------


def _level_episodes(people):
    changes = list(LevelOfCareChange.objects.filter(person__in=people).order_by("person_id", "at", "id"))
    ended = {}
    for earlier, later in zip(changes, changes[1:], strict=False):
        if earlier.person_id == later.person_id:
            ended[earlier.pk] = later.at
    return [(c, ended.get(c.pk)) for c in reversed(changes)]


def _level_episode(text):
    pk = row_id(text)
    change = LevelOfCareChange.objects.filter(pk=pk).first() if pk else None
    if change is None:
        return None
    later = (
        LevelOfCareChange.objects.filter(person_id=change.person_id)
        .filter(Q(at__gt=change.at) | Q(at=change.at, id__gt=change.pk))
        .order_by("at", "id")
        .first()
    )
    return change, later.at if later else None


EPISODE_OF_CARE = Compartment(
    r.EPISODE_OF_CARE,
    (
        Source(
            "",
            Perm.VIEW_RECORD,
            rows=_level_episodes,
            one=_level_episode,
            person_of=lambda row: row[0].person_id,
            resource=lambda row: care.episode_of_care_resource(*row),
        ),
    ),
)

# --- CarePlan and Goal: each agreed version is a version ---------------------------------------------------------


def _agreed(people):
    return (
        CarePlanVersion.objects.filter(person__in=people, status=AGREED)
        .prefetch_related("goals", "actions")
        .order_by("person_id", "-number")
    )


def _plan(version) -> dict:
    goals = [g.key for g in version.goals.all()]
    actions = [a.first_row_id for a in version.actions.all()]
    return care.care_plan_resource(version, goals, actions)


def _plan_rows(people):
    latest = {}
    for version in _agreed(people):
        latest.setdefault(version.person_id, version)
    return list(latest.values())


def _plan_one(text):
    pk = row_id(text)
    return _agreed([pk]).first() if pk else None


def _plan_versions(version) -> list[dict]:
    versions = list(_agreed([version.person_id]))
    return [_plan(v) if i == 0 else care.superseded(_plan(v)) for i, v in enumerate(versions)]


def _goal_rows(people):
    latest = {}
    current = {}
    for version in _agreed(people):
        current.setdefault(version.person_id, version.pk)
        for goal in version.goals.all():
            goal.version = version
            latest.setdefault(goal.key, (goal, version.pk == current[version.person_id]))
    return list(latest.values())


def _goal_versions_of(key):
    goals = list(
        PlanGoal.objects.filter(key=key, version__status=AGREED).select_related("version").order_by("-version__number")
    )
    if not goals:
        return []
    newest_agreed = (
        CarePlanVersion.objects.filter(person_id=goals[0].version.person_id, status=AGREED).order_by("-number").first()
    )
    return [(g, i == 0 and g.version_id == newest_agreed.pk) for i, g in enumerate(goals)]


def _goal_one(text):
    if not text or len(text) > 32 or not text.isascii() or not text.isalnum():
        return None
    versions = _goal_versions_of(text)
    return versions[0] if versions else None


GOAL_SOURCE = Source(
    "",
    Perm.VIEW_RECORD,
    rows=_goal_rows,
    one=_goal_one,
    person_of=lambda row: row[0].version.person_id,
    resource=lambda row: care.goal_resource(row[0], current=row[1]),
    versions=lambda row: [care.goal_resource(g, current=c) for g, c in _goal_versions_of(row[0].key)],
    section=PlanSection.GOALS,
)
CARE_PLAN = Compartment(
    r.CARE_PLAN,
    (
        Source(
            "",
            Perm.VIEW_RECORD,
            rows=_plan_rows,
            one=_plan_one,
            person_of=_person,
            resource=_plan,
            versions=_plan_versions,
        ),
    ),
)
GOAL = Compartment(r.GOAL, (GOAL_SOURCE,))

# --- Task: plan actions, EMDT actions, health check follow-ups ----------------------------------------------------


def _plan_action_rows(people):
    latest = {}
    for action in (
        PlanAction.objects.filter(version__person__in=people, version__status=AGREED)
        .select_related("version")
        .order_by("-version__number", "id")
    ):
        latest.setdefault(action.first_row_id, action)
    done = dict(PlanActionCompletion.objects.filter(action_id__in=latest).values_list("action_id", "done_at"))
    return [(a, done.get(first)) for first, a in latest.items()]


def _plan_action_one(text):
    pk = row_id(text)
    if pk is None:
        return None
    action = (
        PlanAction.objects.filter(Q(pk=pk, origin__isnull=True) | Q(origin_id=pk), version__status=AGREED)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    if action is None:
        return None
    done = PlanActionCompletion.objects.filter(action_id=pk).values_list("done_at", flat=True).first()
    return action, done


EMDT_ACTIONS = Action.objects.select_related("discussion", "owner")
TASK = Compartment(
    r.TASK,
    (
        Source(
            "plan",
            Perm.VIEW_RECORD,
            rows=_plan_action_rows,
            one=_plan_action_one,
            person_of=lambda row: row[0].version.person_id,
            resource=lambda row: care.plan_task_resource(*row),
            section=PlanSection.ACTIONS,
        ),
        person_source("emdt", Perm.VIEW_RECORD, EMDT_ACTIONS, ("due", "id"), emdt.emdt_task_resource),
        person_source(
            "followup", Perm.HC_VIEW, FollowUp.objects.all(), ("due", "id"), activity.follow_up_task_resource
        ),
    ),
)

# --- ServiceRequest, Encounter, Appointment -------------------------------------------------------------------------

REQUESTS = EmdtRequest.objects.select_related("team", "referrer")
SERVICE_REQUEST = Compartment(
    r.SERVICE_REQUEST,
    (person_source("", Perm.VIEW_EMDT_PAPERS, REQUESTS, ("-submitted_at", "-id"), emdt.service_request_resource),),
)

DISCUSSIONS = CaseDiscussion.objects.select_related("item__meeting__team")
SESSIONS = Session.objects.select_related("delivered_by")
ENCOUNTER = Compartment(
    r.ENCOUNTER,
    (
        person_source("emdt", Perm.VIEW_RECORD, DISCUSSIONS, ("-recorded_at", "-id"), emdt.discussion_encounter),
        person_source("session", Perm.PC_VIEW, SESSIONS, ("-held_on", "-id"), activity.session_encounter),
        person_source(
            "peer", Perm.VIEW_PEER_SUPPORT, Contact.objects.all(), ("-on", "-id"), activity.peer_contact_encounter
        ),
    ),
)

APPOINTMENT = Compartment(
    r.APPOINTMENT,
    (person_source("", Perm.HC_VIEW, Booking.objects.all(), ("-at", "-id"), activity.appointment_resource),),
)

# --- Outcome measures and health check observations ---------------------------------------------------------------

ASSESSMENTS = DialogAssessment.objects.prefetch_related("ratings")
QUESTIONNAIRE_RESPONSE = Compartment(
    r.QUESTIONNAIRE_RESPONSE,
    (
        person_source(
            "",
            Perm.VIEW_RECORD,
            ASSESSMENTS,
            ("-taken_on", "-id"),
            outcomes.dialog_response,
            section=PlanSection.OUTCOMES,
        ),
    ),
)


def _check_elements(people):
    checks = HealthCheck.objects.filter(person__in=people).order_by("-done_on", "-id")
    return [element for check in checks for element in elements_of(check)]


def _check_element(text):
    check_id, _, slug = text.partition("-")
    pk = row_id(check_id)
    check = HealthCheck.objects.filter(pk=pk).first() if pk else None
    return element_named(check, slug) if check else None


def _dialog_rating(text):
    assessment, _, item = text.partition("-")
    pk, number = row_id(assessment), row_id(item)
    if pk is None or number is None:
        return None
    return DialogRating.objects.select_related("assessment").filter(assessment_id=pk, item=number).first()


OBSERVATION = Compartment(
    r.OBSERVATION,
    (
        Source(
            "",
            Perm.HC_VIEW,
            rows=_check_elements,
            one=_check_element,
            person_of=lambda item: item.check.person_id,
            resource=observation_data,
        ),
        Source(
            "dialog",
            Perm.VIEW_RECORD,
            rows=lambda people: (
                DialogRating.objects.filter(assessment__person__in=people)
                .select_related("assessment")
                .order_by("-assessment__taken_on", "assessment_id", "item")
            ),
            one=_dialog_rating,
            person_of=lambda rating: rating.assessment.person_id,
            resource=outcomes.dialog_observation,
            section=PlanSection.OUTCOMES,
        ),
        person_source(
            "gbo",
            Perm.VIEW_RECORD,
            GoalRating.objects.all(),
            ("-rated_on", "-id"),
            outcomes.gbo_observation,
            section=PlanSection.OUTCOMES,
        ),
    ),
)

# --- Consent and Flag -----------------------------------------------------------------------------------------------

KINDS = tuple(ConsentKind.values)


def _consents(people):
    latest = {}
    for decision in ConsentDecision.objects.filter(person__in=people).order_by("at", "id"):
        latest[(decision.person_id, decision.kind)] = decision
    return [(p, k, latest.get((p.pk, k))) for p in Person.objects.filter(pk__in=people).order_by("pk") for k in KINDS]


def _consent_one(text):
    person_id, _, kind = text.partition("-")
    kind = kind.replace("-", "_")
    pk = row_id(person_id)
    if pk is None or kind not in KINDS:
        return None
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        return None
    return person, kind, ConsentDecision.objects.filter(person=person, kind=kind).order_by("-at", "-id").first()


CONSENT = Compartment(
    r.CONSENT,
    (
        Source(
            "",
            Perm.VIEW_RECORD,
            rows=_consents,
            one=_consent_one,
            person_of=lambda row: row[0].pk,
            resource=lambda row: care.consent_resource(*row),
        ),
    ),
)

FLAG = Compartment(
    r.FLAG,
    (person_source("", Perm.VIEW_RECORD, CommunicationNeed.objects.all(), ("person_id", "id"), care.flag_resource),),
)

COMPARTMENTS = {
    c.type.name: c
    for c in (
        OBSERVATION,
        CARE_TEAM,
        EPISODE_OF_CARE,
        SERVICE_REQUEST,
        ENCOUNTER,
        APPOINTMENT,
        CARE_PLAN,
        GOAL,
        TASK,
        QUESTIONNAIRE_RESPONSE,
        CONSENT,
        FLAG,
    )
}
