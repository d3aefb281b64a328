"""Communication needs decide the message: one test for each need."""

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.inbox.models import InboxItem
from joinedup.messaging.models import Channel, Status
from joinedup.messaging.needs import decide, next_safe_time, safe_window

from .helpers import contactable, daytime, needs, queue

pytestmark = pytest.mark.django_db

ADDRESS = {"address": "12 Church Street, Blackpool", "postcode": "FY1 3AB"}


@pytest.fixture
def clinician(personas):
    return personas.community_clinician


@pytest.mark.parametrize(
    ("preferred", "channel"), [("text", Channel.TEXT), ("email", Channel.EMAIL), ("letter", Channel.LETTER)]
)
def test_the_preferred_channel_is_used(person, clinician, preferred, channel):
    person = contactable(person, clinician, email="zoe@example.org", preferred_channel=preferred, **ADDRESS)
    decision = decide(person, "key_worker")
    assert decision.channel == channel
    assert (decision.recipient or decision.address[-1]) in ("07700900123", "zoe@example.org", "FY1 3AB")


def test_a_preferred_channel_they_cannot_be_reached_by_falls_back(person, clinician):
    person = contactable(person, clinician, phone="01253 300000", preferred_channel="text", **ADDRESS)
    assert decide(person, "key_worker").channel == Channel.LETTER  # a landline takes no texts


def test_text_only_overrides_the_preferred_channel(person, clinician):
    person = needs(contactable(person, clinician, preferred_channel="letter", **ADDRESS), clinician, text_only="")
    assert decide(person, "key_worker").channel == Channel.TEXT


def test_a_text_waits_for_the_persons_safe_times(person, clinician):
    person = contactable(person, clinician, safe_times="Weekdays after 5pm")
    monday_morning = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0))
    decision = decide(person, "key_worker", now=monday_morning)
    assert timezone.localtime(decision.not_before) == timezone.make_aware(dt.datetime(2026, 12, 7, 17, 0))
    friday_night = timezone.make_aware(dt.datetime(2026, 12, 11, 22, 0))
    assert timezone.localtime(next_safe_time("Weekdays after 5pm", friday_night)).date() == dt.date(2026, 12, 14)
    assert safe_window("Between 10am and 2pm")[1:] == (10.0, 14.0)
    assert safe_window("Not on Fridays")[0] == {0, 1, 2, 3, 5, 6}
    assert safe_window("Mornings only")[1:] == (9.0, 12.0)


def test_no_voicemail_is_passed_to_whoever_phones_them(person, clinician):
    person = contactable(person, clinician, preferred_channel="phone", no_voicemail=True)
    message = queue(person, clinician)
    assert message.status == Status.WITHHELD and message.why == "Prefers a phone call"
    task = InboxItem.objects.get(kind="message_instead", key=str(message.pk))
    assert "Do not leave a voicemail" in task.why and task.to_user == clinician


def test_do_not_contact_sends_nothing(person, clinician):
    person = contactable(person, clinician, do_not_contact=True)
    message = queue(person, clinician)
    assert (message.status, message.why, message.channel) == (Status.WITHHELD, "Do not contact", "")
    assert not InboxItem.objects.filter(kind="message_instead").exists()


def test_large_print_letters(person, clinician):
    person = needs(contactable(person, clinician, preferred_channel="letter", **ADDRESS), clinician, large_print="")
    decision = decide(person, "key_worker")
    assert (decision.channel, decision.letter_format) == (Channel.LETTER, "large_print")


def test_easy_read_letters(person, clinician):
    person = needs(contactable(person, clinician, preferred_channel="letter", **ADDRESS), clinician, easy_read="")
    decision = decide(person, "key_worker")
    assert (decision.channel, decision.letter_format) == (Channel.LETTER, "easy_read")


def test_an_interpreter_need_sends_no_english_text_but_a_task_to_arrange_one(person, clinician):
    person = needs(contactable(person, clinician), clinician, interpreter="Polish")
    message = queue(person, clinician)
    assert message.status == Status.WITHHELD and message.channel == ""
    task = InboxItem.objects.get(kind="message_instead", key=str(message.pk))
    assert "Arrange an interpreter (Polish)" in task.why and task.person == person


def test_consent_is_respected(person, clinician, personas):
    from joinedup.people.services import consent_record

    person = contactable(person, clinician)
    consent_record(by=personas.mhp, person=person, kind="peer_support", given=False, note="Changed their mind")
    person.refresh_from_db()
    assert decide(person, "peer_support_first_contact").withheld == "No consent for this service to contact them"
    assert decide(person, "key_worker").channel == Channel.TEXT  # the NHS's own messages still go


def test_a_message_queued_outside_safe_times_is_sent_when_they_open(person, clinician, notify_standin):
    from joinedup.messaging.services import outbox_send_due

    person = contactable(person, clinician, safe_times="After 6pm")
    message = queue(person, clinician, now=daytime())
    assert outbox_send_due(now=daytime()) == {}
    assert outbox_send_due(now=daytime() + dt.timedelta(hours=7)) == {Status.SENT: 1}
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_email_only_overrides_the_preferred_channel(person, clinician):
    person = contactable(person, clinician, email="zoe@example.org", preferred_channel="text", **ADDRESS)
    person = needs(person, clinician, email_only="")
    assert decide(person, "key_worker").channel == Channel.EMAIL


def test_a_bsl_need_sends_no_english_text_but_a_task_to_arrange_a_bsl_interpreter(person, clinician):
    person = needs(contactable(person, clinician), clinician, bsl="")
    decision = decide(person, "key_worker")
    assert decision.channel == "" and "British Sign Language" in decision.task


@pytest.mark.parametrize(("need", "kind"), [("braille", "Braille"), ("audio", "audio")])
def test_a_letter_needed_in_braille_or_audio_is_a_task_to_arrange_it(person, clinician, need, kind):
    person = needs(contactable(person, clinician, preferred_channel="letter", **ADDRESS), clinician, **{need: ""})
    decision = decide(person, "key_worker")
    assert decision.channel == "" and decision.task == f"Arrange this in {kind}: New key worker"


def test_nobody_to_reach_them_by_is_a_task_to_find_a_way(person, clinician):
    person = contactable(person, clinician, phone="", preferred_channel="text")
    decision = decide(person, "key_worker")
    assert decision.withheld == "No way to reach them" and "Find a way to reach them" in decision.task
