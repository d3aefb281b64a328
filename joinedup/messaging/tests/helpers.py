import datetime as dt

from django.utils import timezone

from joinedup.core.timeline import Service
from joinedup.people.services import communication_needs_set, person_update


def contactable(person, by, **fields):
    """Give the person a mobile number (and whatever else the test needs) through the record's own service."""
    values = {"phone": "07700900123", "preferred_channel": "text", **fields}
    return person_update(by=by, person=person, expected_version=person.version, **values)


def needs(person, by, **kinds):
    communication_needs_set(by=by, person=person, needs=kinds)
    return person


def queue(person, by, *, key="test:1", purpose="key_worker", **kwargs):
    from joinedup.messaging.services import message_queue

    return message_queue(
        person=person,
        purpose=purpose,
        service=Service.CARE,
        key=key,
        by=by,
        personalisation={"name": person.given_name, "key_worker": "Sam Lee"},
        **kwargs,
    )


def daytime(day=None):
    """A weekday at 11:00, when anyone's default safe times allow a text."""
    day = day or timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(11, 0)))
