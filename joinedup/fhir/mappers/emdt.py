"""Enhanced MDT work: requests (ServiceRequest), case discussions (Encounter) and their actions (Task)."""

from joinedup.referrals.models import RequestState, Urgency

from .identifiers import UKCORE_ENCOUNTER, UKCORE_SERVICE_REQUEST, UKCORE_TASK, V3_ACT_CODE, full_name, meta, ref

SNOMED_CT = "http://snomed.info/sct"
REQUEST_STATUS = {
    RequestState.SUBMITTED: "active",
    RequestState.MORE_INFORMATION_REQUESTED: "on-hold",
    RequestState.ACCEPTED: "active",
    RequestState.DISCUSSED: "completed",
    RequestState.CLOSED: "completed",
    RequestState.DECLINED: "revoked",
}
SERVICE_REQUEST_STATUSES = ("draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown")


def service_request_resource(request) -> dict:
    return {
        "resourceType": "ServiceRequest",
        "id": str(request.pk),
        "meta": meta(UKCORE_SERVICE_REQUEST, request.state_changed_at),
        "status": REQUEST_STATUS.get(request.state, "unknown"),
        "intent": "order",
        "priority": "urgent" if request.urgency == Urgency.URGENT else "routine",
        "code": {"text": "Enhanced multi-disciplinary team discussion"},
        "subject": ref("Patient", request.person_id),
        "authoredOn": request.submitted_at.isoformat(),
        "requester": ref("Practitioner", request.referrer_id, full_name(request.referrer)),
        "performer": [ref("Organization", request.team.organisation_id, request.team.name)],
    }


def class_coding(code: str, display: str) -> dict:
    return {"system": V3_ACT_CODE, "code": code, "display": display}


AMBULATORY = class_coding("AMB", "ambulatory")
VIRTUAL = class_coding("VR", "virtual")


def discussion_encounter(discussion) -> dict:
    meeting = discussion.item.meeting
    return {
        "resourceType": "Encounter",
        "id": str(discussion.pk),
        "meta": meta(UKCORE_ENCOUNTER, discussion.recorded_at),
        "status": "finished",
        "class": VIRTUAL if meeting.video_link and not meeting.place else AMBULATORY,
        "type": [{"text": "Enhanced MDT case discussion"}],
        "subject": ref("Patient", discussion.person_id),
        "period": {"start": meeting.starts_at.isoformat()},
        "serviceProvider": ref("Organization", meeting.team.organisation_id, meeting.team.name),
        "basedOn": [ref("ServiceRequest", discussion.item.request_id)] if discussion.item.request_id else [],
    }


TASK_STATUSES = (
    "draft",
    "requested",
    "received",
    "accepted",
    "rejected",
    "ready",
    "cancelled",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "entered-in-error",
)


def emdt_task_resource(action) -> dict:
    data = {
        "resourceType": "Task",
        "id": str(action.pk),
        "meta": meta(UKCORE_TASK),
        "status": "completed" if action.done_at else "in-progress",
        "intent": "order",
        "description": action.description,
        "for": ref("Patient", action.person_id),
        "encounter": ref("Encounter", f"emdt-{action.discussion_id}"),
        "authoredOn": action.discussion.recorded_at.isoformat(),
        "owner": ref("Practitioner", action.owner_id, full_name(action.owner)),
        "restriction": {"period": {"end": action.due.isoformat()}},
    }
    if action.done_at:
        data["lastModified"] = action.done_at.isoformat()
    return data
