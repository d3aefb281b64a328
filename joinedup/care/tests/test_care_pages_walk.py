"""The URL x role walk for this app's pages (the shared walk in core covers every app; this one runs alone)."""

import pytest

from joinedup.core.access import may, visible_people
from joinedup.core.models import AuditEvent
from joinedup.core.tests.test_url_walk import all_patterns, declaration, fill

pytestmark = pytest.mark.django_db


PDF_USERS = {"anonymous", "community_clinician", "partner_professional", "local_authority", "outsider", "commissioner"}


def care_patterns():
    return [(n, r, v) for n, r, v in all_patterns() if n.startswith("care:")]


@pytest.fixture
def args(person, url_arg_member_id, url_arg_version_number, url_arg_plan_action_id):
    return {
        "person_id": person.pk,
        "member_id": url_arg_member_id,
        "version_number": url_arg_version_number,
        "plan_action_id": url_arg_plan_action_id,
    }


def test_every_care_page_answers_every_role_as_the_policy_says_and_audits(client, personas, person, args):
    users = {"anonymous": None, **personas.all()}
    for label, user in users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, route, view in care_patterns():
            kind, perm = declaration(view)
            assert kind in {"person", "person_action", "perm"}, name
            if name == "care:plan_pdf" and label not in PDF_USERS:
                continue  # building a PDF is slow: the full walk in core covers every role
            url = fill(route, args)
            before = AuditEvent.objects.filter(user=user, person=person).count() if user else 0
            response = client.get(url)
            if user is None:
                expected = {302}
            elif kind == "perm":
                expected = {200} if may(user, perm) else {403}
            elif not visible_people(user).filter(pk=person.pk).exists():
                expected = {404}
            else:
                expected = {200} if may(user, perm, person) else {403}
            assert response.status_code in expected, f"{label} GET {url}: {response.status_code}, expected {expected}"
            if response.status_code == 200 and kind in {"person", "person_action"}:
                assert AuditEvent.objects.filter(user=user, person=person).count() > before, f"{name} no audit"
