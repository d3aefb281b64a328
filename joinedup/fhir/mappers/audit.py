"""Joined Up's audit trail as UK Core AuditEvents, for information governance (read-only)."""

from joinedup.core.models import AuditAction

from .identifiers import UKCORE_AUDIT_EVENT, meta, ref

EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
ACTION = {AuditAction.CREATE: "C", AuditAction.UPDATE: "U", AuditAction.EXPORT: "E", AuditAction.PRINT: "E"}


def audit_event_resource(event) -> dict:
    agent = {"requestor": True, "who": {"display": event.username}}
    if event.user_id:
        agent["who"] = ref("Practitioner", event.user_id, event.username)
    if event.ip_address:
        agent["network"] = {"address": event.ip_address, "type": "2"}
    data = {
        "resourceType": "AuditEvent",
        "id": str(event.pk),
        "meta": meta(UKCORE_AUDIT_EVENT, event.at),
        "type": {"system": EVENT_TYPE, "code": "rest", "display": "RESTful Operation"},
        "subtype": [{"system": "https://joinedup.example/fhir/CodeSystem/audit-action", "code": event.action}],
        "action": ACTION.get(event.action, "R"),
        "recorded": event.at.isoformat(),
        "outcome": "4" if event.action == AuditAction.REFUSED else "0",
        "outcomeDesc": event.get_action_display(),
        "agent": [agent],
        "source": {"observer": {"display": "Joined Up"}},
    }
    entity = {"description": event.what}
    if event.person_id:
        entity["what"] = ref("Patient", event.person_id)
    data["entity"] = [entity]
    return data
