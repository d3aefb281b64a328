"""The person's care: care team, level of care, care and support plan (each agreed version a version), goals,
plan actions, sharing choices and communication needs."""

from joinedup.accounts.roles import ConsentKind
from joinedup.care.models import LevelOfCare
from joinedup.core.valuesets import value_set_lookup

from .identifiers import (
    UKCORE_CARE_PLAN,
    UKCORE_CARE_TEAM,
    UKCORE_CONSENT,
    UKCORE_EPISODE_OF_CARE,
    UKCORE_FLAG,
    UKCORE_TASK,
    full_name,
    local,
    meta,
    ref,
)


def care_team_resource(person, members) -> dict:
    """One CareTeam per person (its id is the Patient's): everyone currently involved in their care."""
    participants = []
    for member in members:
        entry = {
            "role": [{"text": member.role_title}],
            "member": ref("Practitioner", member.user_id, member.name) if member.user_id else {"display": member.name},
            "onBehalfOf": ref("Organization", member.organisation_id),
            "period": {"start": member.started.isoformat()},
        }
        participants.append(entry)
    data = {
        "resourceType": "CareTeam",
        "id": str(person.pk),
        "meta": meta(UKCORE_CARE_TEAM),
        "status": "active",
        "name": "Care team",
        "subject": ref("Patient", person.pk),
    }
    if participants:
        data["participant"] = participants
    return data


def episode_of_care_resource(change, ended_at) -> dict:
    """A level of care, from the change that started it to the next (or still current)."""
    current = ended_at is None
    period = {"start": change.at.isoformat()}
    if not current:
        period["end"] = ended_at.isoformat()
    status = "active" if current and change.level != LevelOfCare.DISCHARGED else "finished"
    return {
        "resourceType": "EpisodeOfCare",
        "id": str(change.pk),
        "meta": meta(UKCORE_EPISODE_OF_CARE, change.at),
        "status": status,
        "type": [local("level-of-care", change.level, change.get_level_display())],
        "patient": ref("Patient", change.person_id),
        "period": period,
    }


def care_plan_resource(version, goal_keys, action_ids) -> dict:
    """An agreed version of the care and support plan as a version of the person's CarePlan (id: the Patient's)."""
    data = {
        "resourceType": "CarePlan",
        "id": str(version.person_id),
        "meta": meta(UKCORE_CARE_PLAN, version.agreed_at or version.updated_at, version.number),
        "status": "active",
        "intent": "plan",
        "title": "Care and support plan",
        "subject": ref("Patient", version.person_id),
        "created": version.agreed_at.isoformat() if version.agreed_at else version.created_at.isoformat(),
        "period": {"start": version.agreed_on.isoformat()},
        "author": ref("Practitioner", version.agreed_by_id),
    }
    if version.review_date:
        data["period"]["end"] = version.review_date.isoformat()
    if goal_keys:
        data["goal"] = [ref("Goal", key) for key in goal_keys]
    if action_ids:
        data["activity"] = [{"reference": ref("Task", f"plan-{pk}")} for pk in action_ids]
    return data


def superseded(resource: dict) -> dict:
    """An earlier agreed version: replaced by a later one."""
    return {**resource, "status": "revoked"}


def goal_resource(goal, *, current: bool) -> dict:
    """A goal in the person's own words. UK Core has no Goal profile: base FHIR R4."""
    version = goal.version
    return {
        "resourceType": "Goal",
        "id": goal.key,
        "meta": meta(None, version.agreed_at or version.updated_at, version.number),
        "lifecycleStatus": "active" if current else "cancelled",
        "description": {"text": goal.words},
        "subject": ref("Patient", version.person_id),
        "startDate": version.agreed_on.isoformat(),
    }


def plan_task_resource(action, done_at) -> dict:
    """Who does what by when in the plan. Its id is the action's first row, so it follows the action across
    versions; doing it is recorded once (care.PlanActionCompletion)."""
    version = action.version
    owner = (
        ref("Patient", version.person_id)
        if action.owner_is_person
        else ref("Organization", action.owner_organisation_id)
    )
    data = {
        "resourceType": "Task",
        "id": str(action.first_row_id),
        "meta": meta(UKCORE_TASK),
        "status": "completed" if done_at else "in-progress",
        "intent": "plan",
        "description": action.description,
        "for": ref("Patient", version.person_id),
        "basedOn": [ref("CarePlan", version.person_id)],
        "owner": owner,
        "authoredOn": (version.agreed_at or version.created_at).isoformat(),
        "restriction": {"period": {"end": action.due.isoformat()}},
    }
    if done_at:
        data["lastModified"] = done_at.isoformat()
    return data


CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_POLICY = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


def consent_resource(person, kind: str, decision) -> dict:
    """The person's choice to share their record with one kind of organisation: id `<patient>-<kind>`."""
    given = bool(getattr(person, f"consent_{kind}"))
    data = {
        "resourceType": "Consent",
        "id": f"{person.pk}-{kind.replace('_', '-')}",
        "meta": meta(UKCORE_CONSENT),
        "status": "active",
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Consent Document"}]}],
        "patient": ref("Patient", person.pk),
        "policyRule": {"coding": [{"system": CONSENT_POLICY, "code": "OPTIN" if given else "OPTOUT"}]},
        "provision": {
            "type": "permit" if given else "deny",
            "actor": [
                {
                    "role": {"coding": [{"system": PARTICIPATION, "code": "IRCP", "display": "information recipient"}]},
                    "reference": {"display": ConsentKind(kind).label},
                }
            ],
        },
    }
    if decision is not None:
        data["dateTime"] = decision.at.isoformat()
    return data


def flag_resource(need) -> dict:
    """A communication need as a reasonable adjustment flag."""
    label = value_set_lookup("communication_needs", "flag").get(need.need, need.need)
    text = f"{label}: {need.detail}" if need.detail else label
    return {
        "resourceType": "Flag",
        "id": str(need.pk),
        "meta": meta(UKCORE_FLAG),
        "status": "active",
        "category": [local("flag-category", "reasonable-adjustment", "Reasonable adjustment")],
        "code": {**local("communication-need", need.need, label), "text": text},
        "subject": ref("Patient", need.person_id),
    }


def author(user) -> str:
    return full_name(user)
