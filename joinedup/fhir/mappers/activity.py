"""Contacts and bookings: primary care sessions and peer support contacts (Encounter), health check bookings
(Appointment) and health check follow-ups (Task)."""

import datetime as dt

from django.utils import timezone

from joinedup.healthchecks.models import Booking, FollowUp

from .emdt import AMBULATORY, VIRTUAL
from .identifiers import UKCORE_APPOINTMENT, UKCORE_ENCOUNTER, UKCORE_TASK, full_name, meta, ref

PEER_CLASS = {"video": VIRTUAL}
# A health check booking records its start only; the slot is taken to be this long.
HEALTH_CHECK_MINUTES = 30


def _start_of(day: dt.date) -> str:
    return day.isoformat()


def session_encounter(session) -> dict:
    return {
        "resourceType": "Encounter",
        "id": str(session.pk),
        "meta": meta(UKCORE_ENCOUNTER, session.recorded_at),
        "status": "finished",
        "class": AMBULATORY,
        "type": [{"text": f"Primary care mental health session: {session.get_session_type_display()}"}],
        "subject": ref("Patient", session.person_id),
        "participant": [{"individual": ref("Practitioner", session.delivered_by_id, full_name(session.delivered_by))}],
        "period": {"start": _start_of(session.held_on)},
    }


def peer_contact_encounter(contact) -> dict:
    return {
        "resourceType": "Encounter",
        "id": str(contact.pk),
        "meta": meta(UKCORE_ENCOUNTER, contact.recorded_at),
        "status": "finished",
        "class": PEER_CLASS.get(contact.method, AMBULATORY),
        "type": [{"text": f"Peer support contact: {contact.get_method_display()}"}],
        "subject": ref("Patient", contact.person_id),
        "period": {"start": _start_of(contact.on)},
        "length": {
            "value": contact.duration_minutes,
            "unit": "min",
            "system": "http://unitsofmeasure.org",
            "code": "min",
        },
    }


APPOINTMENT_STATUS = {
    Booking.Status.BOOKED: "booked",
    Booking.Status.ATTENDED: "fulfilled",
    Booking.Status.MISSED: "noshow",
    Booking.Status.CANCELLED: "cancelled",
}


def appointment_resource(booking) -> dict:
    start = timezone.localtime(booking.at)
    return {
        "resourceType": "Appointment",
        "id": str(booking.pk),
        "meta": meta(UKCORE_APPOINTMENT, booking.booked_at),
        "status": APPOINTMENT_STATUS.get(booking.status, "booked"),
        "serviceType": [{"text": "SMI physical health check"}],
        "description": f"SMI physical health check at {booking.place}",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(minutes=HEALTH_CHECK_MINUTES)).isoformat(),
        "created": booking.booked_at.isoformat(),
        "participant": [{"actor": ref("Patient", booking.person_id), "status": "accepted"}],
    }


FOLLOW_UP_STATUS = {
    FollowUp.Status.OPEN: "in-progress",
    FollowUp.Status.DONE: "completed",
    FollowUp.Status.DECLINED: "rejected",
}


def follow_up_task_resource(follow_up) -> dict:
    data = {
        "resourceType": "Task",
        "id": str(follow_up.pk),
        "meta": meta(UKCORE_TASK),
        "status": FOLLOW_UP_STATUS.get(follow_up.status, "in-progress"),
        "intent": "order",
        "description": follow_up.action,
        "reasonCode": {"text": follow_up.reason},
        "for": ref("Patient", follow_up.person_id),
        "owner": ref("Practitioner", follow_up.owner_id),
        "restriction": {"period": {"end": follow_up.due.isoformat()}},
    }
    if follow_up.completed_on:
        data["executionPeriod"] = {"end": follow_up.completed_on.isoformat()}
    return data
