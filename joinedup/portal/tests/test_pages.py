"""What the person sees and does, from their side (CSRF enforced), and what staff then see."""

import datetime as dt
import json
import re

import pytest

from joinedup.core.access import forget, visible_people
from joinedup.core.models import AuditAction, AuditEvent
from joinedup.inbox.models import InboxItem
from joinedup.portal.tests.fixtures import portal_sign_in

pytestmark = pytest.mark.django_db


def post(client, url, data):
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client.post(url, {"csrfmiddlewaretoken": token, **data})


@pytest.fixture
def unshared_draft(agreed_plan, person, personas):
    from joinedup.care.services import plan_draft_start

    return plan_draft_start(by=personas.community_clinician, person=person)


@pytest.fixture
def draft(unshared_draft, personas):
    from joinedup.care.services import plan_draft_share

    return plan_draft_share(by=personas.community_clinician, draft=unshared_draft, shared=True)


def test_a_draft_is_not_shown_or_answerable_until_staff_share_it(portal, person, unshared_draft, personas):
    from joinedup.accounts.tests.helpers import sign_in_with_csrf
    from joinedup.care.models import CarePlanVersion

    client = portal_sign_in("person")
    assert "A new plan for you to look at" not in client.get("/my/plan/").content.decode()
    answer = client.get("/my/plan/answer/").content.decode()
    assert 'name="choice"' not in answer
    staff = sign_in_with_csrf(personas.community_clinician.username)
    plan_page = staff.get(f"/care/{person.pk}/plan/").content.decode()
    assert "Share the draft with the person" in plan_page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', plan_page).group(1)
    url = f"/care/{person.pk}/plan/draft/share/"
    assert staff.post(url, {"share": "yes"}).status_code == 403  # no CSRF token
    assert staff.post(url, {"csrfmiddlewaretoken": token, "share": "maybe"}).status_code == 400
    assert staff.post(url, {"csrfmiddlewaretoken": token, "share": "yes"}).status_code == 302
    assert CarePlanVersion.objects.get(pk=unshared_draft.pk).shared_with_person
    assert "A new plan for you to look at" in client.get("/my/plan/").content.decode()
    assert "Stop sharing the draft with the person" in staff.get(f"/care/{person.pk}/plan/").content.decode()
    assert staff.post(url, {"csrfmiddlewaretoken": token, "share": "no"}).status_code == 302
    assert "A new plan for you to look at" not in client.get("/my/plan/").content.decode()
    response = client.post("/my/plan/answer/", {"choice": "changes", "comments": "Too late"})
    assert not InboxItem.objects.filter(kind="portal_plan_response").exists() and response.status_code in (200, 403)


def test_without_a_key_worker_the_answer_goes_to_the_care_team_who_may_edit_the_plan(portal, person, draft, personas):
    from joinedup.accounts.roles import Perm
    from joinedup.care.models import CareTeamMember
    from joinedup.core.access import may

    CareTeamMember.objects.filter(person=person, is_key_worker=True).update(is_key_worker=False)
    forget(personas.community_clinician)
    client = portal_sign_in("person")
    post(client, "/my/plan/answer/", {"choice": "changes", "comments": "Add my swimming"})
    tasks = InboxItem.objects.filter(kind="portal_plan_response")
    editors = {
        m.user
        for m in CareTeamMember.objects.filter(person=person, ended__isnull=True, user__isnull=False)
        if may(m.user, Perm.EDIT_CARE_PLAN, person)
    }
    assert editors and {t.to_user for t in tasks} == editors


def test_without_a_key_worker_or_team_editor_the_answer_goes_to_the_draft_starters_organisation(
    portal, person, draft, personas
):
    from joinedup.care.models import CareTeamMember

    CareTeamMember.objects.filter(person=person).update(is_key_worker=False, user=None)
    client = portal_sign_in("person")
    post(client, "/my/plan/answer/", {"choice": "changes", "comments": "Add my swimming"})
    task = InboxItem.objects.get(kind="portal_plan_response")
    assert task.to_user is None
    assert task.to_organisation == personas.community_clinician.primary_organisation


def test_home_shows_key_worker_care_team_and_coming_discussion(portal, person, url_arg_item_id):
    page = portal_sign_in("person").get("/my/").content.decode()
    assert "Your key worker" in page and "Get ready for this meeting" in page
    assert "Hello Zoë" in page


def test_the_person_agrees_their_plan_with_a_comment_and_the_key_worker_gets_a_task(portal, person, draft, personas):
    from joinedup.care.models import CarePlanVersion, Participation

    client = portal_sign_in("person")
    assert "A new plan for you to look at" in client.get("/my/plan/").content.decode()
    response = post(client, "/my/plan/answer/", {"choice": "agree", "comments": "Thank you, this is right"})
    assert response.status_code == 302
    version = CarePlanVersion.objects.get(pk=draft.pk)
    assert version.status == "agreed" and version.participation == Participation.SELF and version.agreed_by is None
    assert version.person_comments == "Thank you, this is right"
    task = InboxItem.objects.get(kind="portal_plan_response")
    assert task.to_user == personas.community_clinician and "agreed" in task.why
    entry = person.timeline.get(kind="plan_agreed", actor__isnull=True)
    assert "by the person themself" in entry.summary
    assert "You agreed your plan" in client.get("/my/plan/").content.decode()
    from joinedup.accounts.tests.helpers import sign_in_with_csrf

    staff_page = sign_in_with_csrf(personas.community_clinician.username).get(f"/care/{person.pk}/plan/")
    assert staff_page.status_code == 200 and "By the person themself" in staff_page.content.decode()


def test_asking_for_changes_needs_a_comment_and_sends_it_to_the_key_worker(portal, person, draft):
    client = portal_sign_in("person")
    response = post(client, "/my/plan/answer/", {"choice": "changes", "comments": ""})
    assert response.status_code == 200 and "Tell us what you would like changed" in response.content.decode()
    post(client, "/my/plan/answer/", {"choice": "changes", "comments": "Please add my swimming"})
    assert "Please add my swimming" in InboxItem.objects.get(kind="portal_plan_response").why
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_preparing_for_the_discussion_is_shown_to_the_chair_as_the_persons_words(portal, person, url_arg_item_id):
    from joinedup.meetings.models import AgendaItem

    client = portal_sign_in("person")
    response = post(
        client,
        f"/my/discussion/{url_arg_item_id}/prepare/",
        {"say": "I want help with my rent", "matters": "Keeping my flat", "who": "My sister Jo"},
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(pk=url_arg_item_id)
    assert "What I want to say: I want help with my rent" in item.person_words and item.person_words_by is None
    assert "Who I would like there: My sister Jo" in item.person_words


def test_sharing_choices_change_access_at_once_through_the_same_policy(portal, person, personas):
    partner = personas.partner_professional
    assert visible_people(partner).filter(pk=person.pk).exists()
    client = portal_sign_in("person")
    post(client, "/my/sharing/", {"nhs": "yes", "vcfse": "no", "local_authority": "no", "peer_support": "yes"})
    person.refresh_from_db()
    assert person.consent_vcfse is False
    forget(partner)
    assert not visible_people(partner).filter(pk=person.pk).exists()
    decision = person.consent_decisions.first()
    assert decision.by is None and decision.kind == "vcfse"


def test_who_has_looked_shows_a_staff_read_as_organisation_and_role_and_a_concern_goes_to_ig(
    portal, person, personas, settings
):
    from joinedup.accounts.tests.helpers import sign_in_with_csrf

    staff = sign_in_with_csrf(personas.community_clinician.username)
    assert staff.get(f"/people/{person.pk}/").status_code == 200
    client = portal_sign_in("person")
    page = client.get("/my/who-has-looked/").content.decode()
    membership = personas.community_clinician.primary_membership
    assert membership.team.organisation.name in page and membership.get_role_display() in page
    assert personas.community_clinician.get_full_name() not in page
    settings.PORTAL_SHOW_STAFF_NAMES = True
    assert personas.community_clinician.get_full_name() in client.get("/my/who-has-looked/").content.decode()
    response = post(client, "/my/who-has-looked/concern/", {"concern": "I do not know this person"})
    assert response.status_code == 302
    task = InboxItem.objects.get(kind="portal_access_concern")
    assert task.to_user.roles >= {"ig_lead"} and "I do not know this person" in task.why


def test_the_download_is_a_fhir_r4_bundle_with_the_patient(portal, person):
    response = portal_sign_in("person").get("/my/download/fhir/")
    bundle = json.loads(response.content)
    assert bundle["resourceType"] == "Bundle"
    patient = bundle["entry"][0]["resource"]
    assert patient["identifier"][0]["value"] == "9990000018" and patient["birthDate"] == "1984-03-15"
    assert AuditEvent.objects.filter(person=person, action=AuditAction.EXPORT).exists()


def test_the_plan_pdf_downloads(portal, person, agreed_plan):
    response = portal_sign_in("person").get("/my/plan/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_session_ends_after_the_idle_time(portal, person, settings):
    client = portal_sign_in("person")
    assert client.get("/my/").status_code == 200
    settings.PORTAL_IDLE_SECONDS = 0
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"] == "/my/timed-out/"
    settings.PORTAL_IDLE_SECONDS = 900
    assert client.get("/my/").status_code == 302


def test_the_persons_session_never_opens_a_staff_page(portal, person):
    client = portal_sign_in("person")
    for url in ("/", f"/people/{person.pk}/", "/tasks/", f"/care/{person.pk}/plan/"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"], url


def test_sign_out_ends_the_session(portal, person):
    client = portal_sign_in("person")
    post(client, "/my/", {})  # nothing to post on home: just proves the CSRF token flow
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get("/my/").content.decode()).group(1)
    assert client.post("/my/sign-out/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/my/").status_code == 302


# --- Carer or advocate --------------------------------------------------------------------------------------------


def test_the_person_grants_a_carer_who_signs_in_with_their_own_nhs_login_and_the_person_ends_it(portal, person):
    client = portal_sign_in("person")
    until = dt.date.today() + dt.timedelta(days=60)
    response = post(
        client,
        "/my/helpers/",
        {
            "kind": "carer",
            "name": "Cara Carer",
            "nhs_number": "999 000 0034",
            "birthdate-day": "30",
            "birthdate-month": "6",
            "birthdate-year": "1970",
            "may_act": "see",
            "until-day": str(until.day),
            "until-month": str(until.month),
            "until-year": str(until.year),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    carer = portal_sign_in("carer")
    assert "Helping Zoë" in carer.get("/my/").content.decode()
    assert carer.get("/my/plan/").status_code == 200
    # Beyond the grant: only the person manages sharing and helpers; a see-only carer cannot answer.
    assert carer.get("/my/sharing/").status_code == 403
    assert carer.get("/my/plan/answer/").status_code == 403
    refused = AuditEvent.objects.filter(action=AuditAction.REFUSED, username__startswith="carer").count()
    assert refused == 2
    grant_id = re.search(r"/my/helpers/(\d+)/end/", client.get("/my/helpers/").content.decode()).group(1)
    post(client, f"/my/helpers/{grant_id}/end/", {})
    # After it ended: refused at once, nothing shown, recorded.
    response = carer.get("/my/")
    assert response.status_code == 403 and "Zoë" not in response.content.decode()
    whats = set(AuditEvent.objects.filter(person=person).values_list("what", flat=True))
    assert {"portal: helper access given", "portal: helper access used", "portal: helper access ended"} <= whats
    shown = client.get("/my/who-has-looked/").content.decode()
    assert "Carer or family member Cara Carer" in shown


def test_another_person_cannot_end_or_see_someone_elses_helper(portal, person, other_person, carer_grant):
    other = portal_sign_in("other")
    response = post(other, "/my/helpers/", {}) and other.post(f"/my/helpers/{carer_grant.pk}/end/")
    assert response.status_code in (403, 404)
    carer_grant.refresh_from_db()
    assert carer_grant.ended_at is None


def test_the_person_fills_in_dialog_themself_and_it_is_marked_self_completed(portal, person):
    from joinedup.care.models import DialogAssessment

    client = portal_sign_in("person")
    answers = {f"item_{i}": "5" for i in range(1, 12)} | {f"help_{i}": "no" for i in range(1, 12)}
    response = post(client, "/my/how-am-i-doing/", {**answers, "item_3": ""})
    assert response.status_code == 200 and "Select a score (1 to 7)" in response.content.decode()
    assert post(client, "/my/how-am-i-doing/", answers | {"help_2": "yes"}).status_code == 302
    assessment = DialogAssessment.objects.get(person=person)
    assert assessment.self_completed and assessment.recorded_by is None
    assert "by you" in client.get("/my/how-am-i-doing/").content.decode()
    assert "self-completed" in person.timeline.get(kind="dialog").summary


def test_the_person_asks_to_change_a_health_check_booking_and_the_outreach_worker_gets_a_task(
    portal, person, url_arg_booking_id, personas
):
    client = portal_sign_in("person")
    assert "Tell us if you can come" in client.get("/my/").content.decode()
    url = f"/my/health-check/{url_arg_booking_id}/"
    response = post(client, url, {"answer": "change", "times": ""})
    assert "Tell us which days and times suit you" in response.content.decode()
    assert post(client, url, {"answer": "change", "times": "Tuesday mornings"}).status_code == 302
    task = InboxItem.objects.get(kind="portal_booking_change")
    assert task.to_user == personas.outreach_worker and "Tuesday mornings" in task.why
    assert post(client, url, {"answer": "confirm"}).status_code == 302
    assert InboxItem.objects.filter(kind="portal_booking_confirmed").exists()


def test_the_person_tells_their_story_needs_and_contact_preferences_once_and_staff_see_them(portal, person, personas):
    from joinedup.accounts.tests.helpers import sign_in_with_csrf

    client = portal_sign_in("person")
    page = client.get("/my/about-me/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = post(
        client,
        "/my/about-me/",
        {
            "version": version,
            "story": "I grew up in Fleetwood and I love the sea",
            "needs": ["large_print"],
            "preferred_channel": "phone",
            "safe_times": "Afternoons",
            "no_voicemail": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.my_story == "I grew up in Fleetwood and I love the sea" and person.no_voicemail
    assert person.communication_needs.filter(need="large_print").exists()
    staff = sign_in_with_csrf(personas.community_clinician.username)
    assert "I grew up in Fleetwood" in staff.get(f"/people/{person.pk}/").content.decode()
    stale = post(client, "/my/about-me/", {"version": version, "story": "Old page"})
    assert "Someone changed your details" in stale.content.decode()


def test_who_has_looked_shows_the_reason_given_for_emergency_access_and_not_the_persons_own_use(
    portal, person, personas
):
    from joinedup.accounts.roles import Perm
    from joinedup.core.access import may
    from joinedup.people.services import emergency_access_grant

    user = next(u for u in personas.all().values() if may(u, Perm.EMERGENCY_ACCESS))
    emergency_access_grant(by=user, person=person, reason="Called by A&E at 2am, person unconscious")
    client = portal_sign_in("person")
    client.get("/my/plan/")
    page = client.get("/my/who-has-looked/").content.decode()
    assert "Called by A&amp;E at 2am, person unconscious" in page and "Emergency access" in page
    assert "the person themself" not in page.lower()


def test_the_person_marks_their_own_action_done_and_staff_see_who_did(portal, person, url_arg_plan_action_id):
    from joinedup.care.models import PlanActionCompletion

    client = portal_sign_in("person")
    page = client.get("/my/plan/").content.decode()
    assert f"/my/plan/actions/{url_arg_plan_action_id}/done/" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(f"/my/plan/actions/{url_arg_plan_action_id}/done/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    completion = PlanActionCompletion.objects.get()
    assert completion.done_by is None
    assert "by the person themself" in person.timeline.get(kind="plan_action_done").summary
    assert "I have done this" not in client.get("/my/plan/").content.decode()
