"""One outbox: written with its cause, sent by the task worker with retries and backoff, never twice, failures to
a list the team works and a task, each message and its status on the person's timeline (content-free)."""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.tests.helpers import sign_in_with_csrf, submit
from joinedup.core.models import TimelineEntry
from joinedup.inbox.models import InboxItem
from joinedup.messaging.models import Message, Status
from joinedup.messaging.services import MAX_ATTEMPTS, failure_worked, outbox_send_due

from .helpers import contactable, daytime, queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(person, personas):
    return contactable(person, personas.community_clinician)


def test_a_booking_writes_its_messages_in_its_own_transaction(on_register, personas):
    from joinedup.healthchecks.services import booking_create

    person = contactable(on_register, personas.community_clinician)
    at = daytime(timezone.localdate() + dt.timedelta(days=10))
    booking = booking_create(
        by=personas.outreach_worker, person=person, provider_kind="practice", at=at, place="Surgery"
    )
    sent = {m.purpose: m for m in Message.objects.filter(person=person)}
    assert set(sent) == {"hc_booking", "hc_reminder"}
    assert sent["hc_booking"].key == f"hc_booking:{booking.pk}"
    assert sent["hc_reminder"].not_before == at - dt.timedelta(days=2)  # two days before
    with pytest.raises(RuntimeError), transaction.atomic():
        booking_create(by=personas.outreach_worker, person=person, provider_kind="practice", at=at, place="Surgery")
        raise RuntimeError("the booking's transaction fails after the messages were queued")
    assert Message.objects.filter(person=person).count() == 2  # no message without its cause


def _rolled_back(cause):
    with pytest.raises(RuntimeError), transaction.atomic():
        cause()
        raise RuntimeError("the cause's transaction fails after its message was queued")


def test_a_plan_agreed_a_discussion_date_and_a_new_key_worker_write_their_messages_with_them_or_not_at_all(
    reachable, personas, meeting_later
):
    from joinedup.care.services import key_worker_assign
    from joinedup.care.tests.fixtures import make_agreed_plan
    from joinedup.meetings.services import agenda_place

    causes = {
        "plan_copy": lambda: make_agreed_plan(by=personas.community_clinician, person=reachable),
        "emdt_invitation": lambda: agenda_place(
            by=personas.emdt_coordinator, meeting=meeting_later, person=reachable, kind="new"
        ),
        "key_worker": lambda: key_worker_assign(
            by=personas.mhp, person=reachable, user=personas.key_worker, reason="Moved", handover_note="In the plan"
        ),
    }
    for purpose, cause in causes.items():
        _rolled_back(cause)
        assert not Message.objects.filter(purpose=purpose).exists(), purpose  # no message without its cause
        with transaction.atomic():
            cause()
        assert Message.objects.filter(purpose=purpose).count() == 1, purpose


def test_the_same_event_queues_one_message(reachable, personas):
    first = queue(reachable, personas.community_clinician, key="key_worker:7")
    again = queue(reachable, personas.community_clinician, key="key_worker:7")
    assert first.pk == again.pk and Message.objects.count() == 1


def test_the_task_worker_sends_each_message_once(reachable, personas, notify_standin, settings):
    from joinedup.messaging.tasks import send_outbox

    message = queue(reachable, personas.community_clinician, now=daytime())
    with time_at(daytime()):
        send_outbox.enqueue()  # the immediate backend in tests; db_worker in production
        send_outbox.enqueue()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.notify_id
    [kept] = notify_standin.sent
    assert kept["reference"] == message.reference and kept["to"] == "07700900123"


def test_a_message_is_not_sent_before_its_time(reachable, personas, notify_standin):
    message = queue(reachable, personas.community_clinician, not_before=daytime() + dt.timedelta(days=3))
    assert outbox_send_due(now=daytime()) == {}
    assert outbox_send_due(now=daytime() + dt.timedelta(days=3, minutes=1)) == {Status.SENT: 1}
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_notify_down_retries_with_backoff_then_the_failures_list_and_a_task(reachable, personas, notify_standin):
    notify_standin.down = True
    message = queue(reachable, personas.community_clinician, now=daytime())
    now = daytime()
    outbox_send_due(now=now)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert message.next_attempt_at == now + dt.timedelta(minutes=1)
    assert outbox_send_due(now=now + dt.timedelta(seconds=30)) == {}  # backing off
    waits = []
    while message.status == Status.QUEUED:
        now = message.next_attempt_at
        outbox_send_due(now=now)
        message.refresh_from_db()
        waits.append(message.next_attempt_at - now)
    assert message.status == Status.GAVE_UP and message.attempts == MAX_ATTEMPTS
    assert [w.total_seconds() for w in waits[:4]] == [120, 240, 480, 960]
    assert "500" in message.why and not notify_standin.sent
    task = InboxItem.objects.get(kind="message_failed", key=str(message.pk))
    assert task.to_user == personas.community_clinician and task.person == reachable


def test_the_team_works_the_failures_list(reachable, personas, notify_standin):
    notify_standin.down = True
    message = queue(reachable, personas.community_clinician, now=daytime())
    for _ in range(MAX_ATTEMPTS):
        message.refresh_from_db()
        outbox_send_due(now=max(message.next_attempt_at, message.not_before))
    client = sign_in_with_csrf("test.community_clinician")
    page = client.get(reverse("messaging:failures"))
    assert page.status_code == 200 and "Ashworth" in page.content.decode()
    answer = submit(client, reverse("messaging:failures"), {"step": "worked"}, marker=f'value="{message.pk}"')
    assert answer.status_code == 302
    message.refresh_from_db()
    assert message.worked_by == personas.community_clinician
    assert "There are no messages to deal with" in client.get(reverse("messaging:failures")).content.decode()
    assert failure_worked(by=personas.community_clinician, message=message) is False  # twice changes nothing


def test_an_outsider_sees_no_failures_and_cannot_work_one(reachable, personas, notify_standin):
    message = queue(reachable, personas.community_clinician, now=daytime())
    Message.objects.filter(pk=message.pk).update(status=Status.FAILED, why="test")
    client = sign_in_with_csrf("test.outsider")
    page = client.get(reverse("messaging:failures")).content.decode()
    assert "Ashworth" not in page
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    csrf = csrf.group(1) if csrf else client.cookies["csrftoken"].value
    answer = client.post(reverse("messaging:failures"), {"message": message.pk, "csrfmiddlewaretoken": csrf})
    assert answer.status_code == 404
    assert client.post(reverse("messaging:failures"), {"message": "¹", "csrfmiddlewaretoken": csrf}).status_code == 404


def test_each_message_and_its_status_are_on_the_timeline_without_content(reachable, personas, notify_standin):
    message = queue(reachable, personas.community_clinician, now=daytime())
    outbox_send_due(now=daytime())
    message.refresh_from_db()
    from joinedup.messaging.services import delivery_receipt

    delivery_receipt(notify_id=message.notify_id, reference=message.reference, status="delivered")
    summaries = list(
        TimelineEntry.objects.filter(person=reachable, kind__startswith="message_")
        .order_by("id")
        .values_list("summary", flat=True)
    )
    assert summaries == [
        "Text message queued: New key worker",
        "Text message sent: New key worker",
        "Text message delivered: New key worker",
    ]
    assert not any("Sam Lee" in s or "07700" in s for s in summaries)


class time_at:
    """Freeze the clock for code that reads timezone.now() itself (the task takes no arguments)."""

    def __init__(self, moment):
        import time_machine

        self._travel = time_machine.travel(moment, tick=False)

    def __enter__(self):
        self._travel.start()

    def __exit__(self, *exc):
        self._travel.stop()
