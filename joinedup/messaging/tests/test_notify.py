"""GOV.UK Notify: the stand-in checks what Notify checks and keeps what was sent; the real client talks to it;
delivery receipts come back to a callback whose bearer token is checked; the events that send messages."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
import requests
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.tests.helpers import sign_in_with_csrf
from joinedup.inbox.models import InboxItem
from joinedup.messaging.models import Message, Status
from joinedup.messaging.services import outbox_send_due
from standins.notify.server import TEMPLATES

from .helpers import contactable, daytime, needs, queue

pytestmark = pytest.mark.django_db

SMS = TEMPLATES["key_worker:sms"]["id"]


def token(stand_in, *, iss=None, age=0, secret=None, algorithm="HS256"):
    claims = {"iss": iss or stand_in.service_id, "iat": int(time.time() - age)}
    return jwt.encode(claims, None if algorithm == "none" else secret or stand_in.secret, algorithm=algorithm)


def post_sms(stand_in, body, **token_args):
    return requests.post(
        f"{stand_in.url}/v2/notifications/sms",
        json=body,
        headers={"Authorization": f"Bearer {token(stand_in, **token_args)}"},
        timeout=5,
    )


GOOD = {"phone_number": "07700900123", "template_id": SMS, "personalisation": {"name": "Zoë", "key_worker": "Sam"}}


@pytest.mark.parametrize(
    ("token_args", "status", "says"),
    [
        ({}, 201, ""),
        ({"iss": "00000000-0000-0000-0000-000000000000"}, 403, "service not found"),
        ({"age": 32}, 403, "within 30 seconds"),
        ({"age": -32}, 403, "within 30 seconds"),
        ({"secret": "not-the-secret-part-of-the-key-at-all"}, 403, "signature"),
        ({"algorithm": "none"}, 403, "HS256"),
    ],
)
def test_the_stand_in_checks_the_api_keys_token_as_notify_does(notify_standin, token_args, status, says):
    answer = post_sms(notify_standin, GOOD, **token_args)
    assert answer.status_code == status
    assert says in (answer.json()["errors"][0]["message"] if status != 201 else "")


def test_the_stand_in_refuses_a_request_without_a_token(notify_standin):
    answer = requests.post(f"{notify_standin.url}/v2/notifications/sms", json=GOOD, timeout=5)
    assert answer.status_code == 401 and not notify_standin.sent


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"template_id": "5a9c2b1e-0d4f-4a8e-9b3a-000000000000"}, "Template not found"),
        ({"template_id": "not-a-uuid"}, "template_id is not a valid UUID"),
        ({"template_id": TEMPLATES["key_worker:email"]["id"]}, "not suitable"),
        ({"personalisation": {"name": "Zoë"}}, "Missing personalisation: key_worker"),
        ({"phone_number": "01253 300000"}, "Not a UK mobile number"),
    ],
)
def test_the_stand_in_checks_each_request_body_as_notify_does(notify_standin, change, says):
    answer = post_sms(notify_standin, GOOD | change)
    assert answer.status_code == 400 and says in answer.json()["errors"][0]["message"]
    assert not notify_standin.sent


class _Capture(BaseHTTPRequestHandler):
    received: list

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_stand_in_keeps_what_was_sent_and_posts_callbacks_with_a_bearer_token(notify_standin):
    _Capture.received = []
    server = HTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    notify_standin.callback_url = f"http://127.0.0.1:{server.server_address[1]}/callback"
    try:
        assert post_sms(notify_standin, GOOD | {"reference": "ref-1"}).status_code == 201
        assert post_sms(notify_standin, GOOD | {"phone_number": "07700900002", "reference": "ref-2"}).status_code == 201
        notify_standin.wait_for_callbacks(2)
    finally:
        server.shutdown()
        server.server_close()
    assert [n["reference"] for n in notify_standin.sent] == ["ref-1", "ref-2"]
    assert {(auth, body["reference"], body["status"]) for auth, body in _Capture.received} == {
        ("Bearer test-callback-token-not-a-secret", "ref-1", "delivered"),
        ("Bearer test-callback-token-not-a-secret", "ref-2", "permanent-failure"),
    }


# Our callback endpoint --------------------------------------------------------------------------------------------


@pytest.fixture
def sent_message(person, personas, notify_standin):
    person = contactable(person, personas.community_clinician)
    message = queue(person, personas.community_clinician, now=daytime())
    outbox_send_due(now=daytime())
    message.refresh_from_db()
    assert message.status == Status.SENT
    return message


def callback(body, token="test-callback-token-not-a-secret"):  # noqa: S107
    return Client().post(
        reverse("messaging:notify_callback"),
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )


def test_a_delivery_receipt_updates_the_message(sent_message):
    answer = callback({"id": sent_message.notify_id, "reference": sent_message.reference, "status": "delivered"})
    assert answer.status_code == 204
    sent_message.refresh_from_db()
    assert sent_message.status == Status.DELIVERED


def test_a_permanent_failure_makes_a_task_for_the_team(sent_message, personas):
    callback({"id": sent_message.notify_id, "reference": sent_message.reference, "status": "permanent-failure"})
    sent_message.refresh_from_db()
    assert sent_message.status == Status.FAILED and "does not exist" in sent_message.why
    task = InboxItem.objects.get(kind="message_failed", key=str(sent_message.pk))
    assert task.to_user == personas.community_clinician
    # Notify may call twice: the second receipt changes nothing.
    callback({"id": sent_message.notify_id, "reference": sent_message.reference, "status": "delivered"})
    sent_message.refresh_from_db()
    assert sent_message.status == Status.FAILED


@pytest.mark.parametrize("token", ["", "wrong-token", "test-callback-token-not-a-secretX"])
def test_a_callback_without_our_bearer_token_is_refused(sent_message, token):
    answer = callback({"id": sent_message.notify_id, "status": "delivered"}, token=token)
    assert answer.status_code == 401
    sent_message.refresh_from_db()
    assert sent_message.status == Status.SENT


@pytest.mark.parametrize("body", ["not json", "[]", '{"status": "delivered"}', "null"])
def test_a_malformed_callback_is_a_400(notify_standin, body):
    answer = Client().post(
        reverse("messaging:notify_callback"),
        data=body,
        content_type="application/json",
        headers={"Authorization": "Bearer test-callback-token-not-a-secret"},
    )
    assert answer.status_code == 400


def test_the_callback_from_the_stand_in_reaches_the_message(sent_message, notify_standin):
    """End to end without a web server: the stand-in's own callback payload, posted to our endpoint."""
    [kept] = notify_standin.sent
    assert kept["reference"] == sent_message.reference
    answer = callback({"id": kept["id"], "reference": kept["reference"], "status": "delivered", "to": kept["to"]})
    assert answer.status_code == 204
    sent_message.refresh_from_db()
    assert sent_message.status == Status.DELIVERED


# The events that send messages ------------------------------------------------------------------------------------


def test_a_new_key_worker_is_told_to_the_person(person, personas):
    from joinedup.care.services import key_worker_assign

    change = key_worker_assign(
        by=personas.mhp, person=person, user=personas.key_worker, reason="Moved team", handover_note="In the plan"
    )
    message = Message.objects.get(key=f"key_worker:{change.pk}")
    assert message.purpose == "key_worker" and message.personalisation["key_worker"] == change.new.name


def test_an_agreed_plan_sends_the_person_a_copy(agreed_plan):
    assert Message.objects.filter(purpose="plan_copy", person=agreed_plan.person).count() == 1


def own_joined_up(person):
    """The person signs in to their own Joined Up with NHS login, which links it to their record."""
    import uuid

    from joinedup.portal.oidc import Identity
    from joinedup.portal.services import sign_in_accept

    sign_in_accept(
        identity=Identity(
            sub=f"nhs-login-{person.pk}",
            nhs_number=person.nhs_number,
            birthdate=person.date_of_birth.isoformat(),
            proofing_level="P9",
            jti=uuid.uuid4().hex,
            expires=int(time.time()) + 300,
        )
    )
    return person


def text_sent(stand_in, purpose):
    [kept] = stand_in.sent
    template = next(t for key, t in TEMPLATES.items() if t["id"] == kept["template_id"])
    assert template is TEMPLATES[f"{purpose}:sms"]
    return template["body"].replace("((", "{").replace("))", "}").format(**kept["personalisation"])


WITH_ADDRESS = {"address": "12 Church Street, Blackpool", "postcode": "FY1 3AB"}


def test_without_their_own_joined_up_the_plan_copy_goes_by_post_even_to_someone_who_prefers_texts(person, personas):
    from joinedup.care.tests.fixtures import make_agreed_plan

    person = contactable(person, personas.community_clinician, **WITH_ADDRESS)
    version = make_agreed_plan(by=personas.community_clinician, person=person)
    message = Message.objects.get(key=f"plan_copy:{version.pk}")
    assert message.channel == "letter" and message.plan_version == version  # the letter carries the plan


def test_with_their_own_joined_up_the_plan_copy_texts_them_a_link_to_it(person, personas, notify_standin):
    from joinedup.care.tests.fixtures import make_agreed_plan

    person = own_joined_up(contactable(person, personas.community_clinician, **WITH_ADDRESS))
    version = make_agreed_plan(by=personas.community_clinician, person=person)
    message = Message.objects.get(key=f"plan_copy:{version.pk}")
    assert message.channel == "sms"
    assert outbox_send_due(now=daytime()) == {Status.SENT: 1}
    text = text_sent(notify_standin, "plan_copy")
    assert "read it and download a copy in your own Joined Up: http://127.0.0.1:8000/my/plan/" in text


def test_text_only_and_no_joined_up_the_plan_copy_says_how_to_get_a_printed_copy(person, personas, notify_standin):
    from joinedup.care.tests.fixtures import make_agreed_plan

    clinician = personas.community_clinician
    person = needs(contactable(person, clinician, **WITH_ADDRESS), clinician, text_only="")
    make_agreed_plan(by=clinician, person=person)
    assert outbox_send_due(now=daytime()) == {Status.SENT: 1}
    text = text_sent(notify_standin, "plan_copy")
    assert "Ask your key worker," in text and "for a printed copy" in text and "Joined Up" not in text


@pytest.mark.parametrize("has_joined_up", [True, False])
def test_an_emdt_invitation_mentions_their_own_joined_up_only_when_they_have_one(
    person, personas, meeting_later, notify_standin, has_joined_up
):
    from joinedup.meetings.services import agenda_place

    person = contactable(person, personas.community_clinician)
    if has_joined_up:
        own_joined_up(person)
    with transaction.atomic():
        item = agenda_place(by=personas.emdt_coordinator, meeting=meeting_later, person=person, kind="new")
    message = Message.objects.get(key=f"emdt_invitation:{item.pk}")
    assert message.service == "emdt"
    assert outbox_send_due(now=daytime()) == {Status.SENT: 1}
    text = text_sent(notify_standin, "emdt_invitation")
    assert "tell us what matters to you" in text  # how to prepare, either way
    assert ("Joined Up" in text) is has_joined_up
    if has_joined_up:
        assert "http://127.0.0.1:8000/my/" in text


def test_only_the_first_peer_support_contact_sends_a_message(personas, peer_allocation):
    from joinedup.peersupport.services import contact_record

    for _ in range(2):
        contact_record(
            by=personas.peer_support_worker,
            allocation=peer_allocation,
            on=timezone.localdate(),
            duration_minutes=30,
            method="face_to_face",
            what_was_done="Coffee and a walk",
        )
    assert Message.objects.filter(purpose="peer_support_first_contact").count() == 1


def test_an_administrator_sees_the_messages_sent_but_not_who_or_what(sent_message):
    client = sign_in_with_csrf("test.administrator")
    page = client.get(reverse("messaging:sent")).content.decode()
    assert "New key worker" in page and "Sent" in page
    assert "Ashworth" not in page and "07700900123" not in page and "Sam Lee" not in page
    assert sign_in_with_csrf("test.community_clinician").get(reverse("messaging:sent")).status_code == 403


def test_a_receipt_naming_no_message_changes_nothing(sent_message):
    Message.objects.filter(pk=sent_message.pk).update(status=Status.SENDING, notify_id="")
    assert callback({"id": "", "reference": "", "status": "delivered"}).status_code == 204
    sent_message.refresh_from_db()
    assert sent_message.status == Status.SENDING


def test_follow_ups_offered_after_a_health_check_tell_the_person_who_will_contact_them_not_what_was_found(
    on_register, personas, notify_standin
):
    from joinedup.healthchecks.services import check_record

    person = contactable(on_register, personas.community_clinician)
    provider = personas.health_check_provider
    check = check_record(by=provider, person=person, done_on=timezone.localdate(), systolic=150, diastolic=95)
    message = Message.objects.get(key=f"hc_follow_up:{check.pk}")
    assert message.service == "health_checks"
    assert outbox_send_due(now=daytime()) == {Status.SENT: 1}
    text = text_sent(notify_standin, "hc_follow_up")
    assert provider.get_full_name() in text and "will contact you" in text
    assert "blood pressure" not in text.lower() and "GP" not in text  # the findings are talked through, not texted


def test_a_health_check_with_nothing_to_follow_up_sends_no_follow_up_message(on_register, personas):
    from joinedup.healthchecks.services import check_record

    check_record(
        by=personas.health_check_provider, person=on_register, done_on=timezone.localdate(), systolic=118, diastolic=76
    )
    assert not Message.objects.filter(purpose="hc_follow_up").exists()
