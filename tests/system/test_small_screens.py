"""On a phone (375 px wide) the working pages fit the screen: tables use the NHS.UK responsive table, so each row
stacks with its column headings beside the values, and a long unbroken name wraps instead of pushing the page
sideways. Nothing on these pages needs sideways scrolling.

Every page is also checked with axe-core (WCAG 2.2 A and AA) at that width.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
# A real-world kind of name with no space or hyphen to break at, just under the 100-character limit.
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessenschafewarenwohlgepflege"


@pytest.fixture
def long_named(personas, practice):
    """A person whose last name is one 99-letter word, with the community clinician as key worker."""
    from joinedup.accounts.roles import ConsentKind
    from joinedup.care.services import care_team_add
    from joinedup.people.services import person_register

    p = person_register(
        by=personas.gp_practice_staff,
        nhs_number="9990000026",
        given_name="Hubert",
        family_name=LONG_NAME,
        date_of_birth=dt.date(1970, 2, 23),
        sex="1",
        ethnicity="A",
        postcode="FY1 3AB",
        practice=practice,
        consents={kind: True for kind in ConsentKind},
    )
    clinician = personas.community_clinician
    care_team_add(
        by=personas.mhp,
        person=p,
        user=clinician,
        organisation=clinician.primary_organisation,
        role_title="Community mental health nurse",
        is_key_worker=True,
    )
    return p


def put_on_the_register(*people):
    """Their practice's SMI register, imported as a practice's file is, with these people on it."""
    from joinedup.healthchecks.registers import import_register
    from joinedup.healthchecks.tests.helpers import SCHIZOPHRENIA, register_file

    code = people[0].practice.ods_code
    rows = [
        [code, p.nhs_number, p.family_name, p.given_name, str(p.date_of_birth), "F", p.postcode, SCHIZOPHRENIA, ""]
        for p in people
    ]
    outcome = import_register(register_file(code, rows), filename="register.csv")
    assert outcome.rejected == 0, outcome.errors


def on_a_phone(open_browser, username):
    journey = open_browser(viewport=PHONE)
    journey.sign_in_as(username)
    return journey


def fits_the_screen(journey, what):
    page = journey.page
    widths = page.evaluate("() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})")
    assert widths["page"] <= widths["screen"], (
        f"{what} scrolls sideways at {PHONE['width']} px: it is {widths['page']} px wide"
    )
    journey.check_the_page(what)


def test_working_pages_fit_a_phone_screen_without_sideways_scrolling(
    open_browser,
    personas,
    person,
    long_named,
    agreed_plan,
    emdt_chain,
    hc_check,
    pc_episode,
    peer_allocation,
    pc_trainee_session,
    offers,
):
    from django.utils import timezone

    from joinedup.care.services import dialog_record
    from joinedup.care.tests.fixtures import make_agreed_plan
    from joinedup.healthchecks.services import booking_create, contact_record, plan_save
    from joinedup.primarycare.services import advice_record, request_create
    from joinedup.referrals.tests.fixtures import make_request

    make_agreed_plan(by=personas.community_clinician, person=long_named)
    urgent = make_request(by=personas.mhp, person=long_named, urgency="urgent")
    dialog_record(
        by=personas.community_clinician,
        person=long_named,
        taken_on=timezone.localdate(),
        ratings={item: (4, item % 2 == 0) for item in range(1, 12)},
    )
    request_create(by=personas.gp_practice_staff, person=long_named, question="Low mood since the winter. What next?")
    advice_record(
        by=personas.mhp,
        person=long_named,
        question="Is it safe to stop his sertraline?",
        advice="Reduce slowly over four weeks and review his mood at each step",
        given_on=timezone.localdate(),
        asked_by_name="Dr Patel",
        follow_up="Review in a month",
    )
    put_on_the_register(long_named, person)
    meeting = emdt_chain["item"].meeting
    review_meeting = emdt_chain["review_item"].meeting
    # Zoë's outreach: two contact attempts, her next check booked, and a physical health plan
    outreach_worker = personas.outreach_worker
    contact_record(by=outreach_worker, person=person, method="phone", outcome="no_answer", next_step="Try again")
    contact_record(
        by=outreach_worker, person=person, method="home_visit", outcome="accepted", next_step="Book at the surgery"
    )
    booking_create(
        by=outreach_worker,
        person=person,
        provider_kind="secondary",
        at=timezone.now() + dt.timedelta(days=7),
        place="Whitegate Health Centre, Whitegate Drive, Blackpool, room 2",
    )
    plan_save(
        by=personas.health_check_provider,
        person=person,
        what_matters="Getting fitter so I can walk to my sister's",
        goals="Walk three times a week; see the weight management service",
        agreed=True,
        expected_version=None,
    )

    # Given I am Hubert's and Zoë's key worker, on my phone
    worker = on_a_phone(open_browser, "test.community_clinician")
    page = worker.page
    page.goto("/care/caseload/")
    fits_the_screen(worker, "my caseload")
    assert LONG_NAME in page.inner_text("main")
    # each row stacks, its values labelled with the column headings
    expect(page.locator("td .nhsuk-table__heading", has_text="Next review").first).to_be_visible()
    page.goto(f"/care/{person.pk}/plan/")
    fits_the_screen(worker, "Zoë's care and support plan")
    page.goto(f"/care/{long_named.pk}/plan/")
    fits_the_screen(worker, "Hubert's care and support plan")
    # Then his record shows his whole name, wrapped to the screen
    page.goto(f"/people/{long_named.pk}/")
    fits_the_screen(worker, "Hubert's record")
    assert page.get_by_role("heading", level=1).inner_text().replace("\n", "") == f"Hubert {LONG_NAME}"
    # and my task list, with the EMDT's action for me
    page.goto("/tasks/")
    fits_the_screen(worker, "my tasks")
    assert "Refer to debt advice" in page.inner_text("main")
    page.goto(f"/people/?nhs_number={long_named.nhs_number}")
    fits_the_screen(worker, "finding Hubert")
    assert LONG_NAME in page.inner_text("main")
    page.goto(f"/people/{long_named.pk}/consent/")
    fits_the_screen(worker, "Hubert's consent to share")
    page.goto(f"/care/{long_named.pk}/plan/outcomes/")
    fits_the_screen(worker, "Hubert's outcomes")
    page.goto(f"/care/{long_named.pk}/key-worker/")
    fits_the_screen(worker, "Hubert's key worker")
    page.goto(f"/care/{long_named.pk}/level/")
    fits_the_screen(worker, "Hubert's level of care")
    page.goto(f"/care/{person.pk}/team/")
    fits_the_screen(worker, "Zoë's care team")
    expect(page.locator("td .nhsuk-table__heading", has_text="Organisation").first).to_be_visible()
    page.goto(f"/meetings/{person.pk}/discussions/{emdt_chain['discussion'].pk}/")
    fits_the_screen(worker, "the EMDT's discussion of Zoë, with its actions")
    page.goto(f"/referrals/{person.pk}/")
    fits_the_screen(worker, "Zoë's EMDT requests")

    # Given I am the EMDT coordinator, on my phone
    chair = on_a_phone(open_browser, "test.emdt_coordinator")
    page = chair.page
    page.goto("/referrals/queue/")
    fits_the_screen(chair, "the triage queue")
    assert LONG_NAME in page.inner_text("main")
    page.goto(f"/meetings/meeting/{meeting.pk}/")
    fits_the_screen(chair, "the agenda of a meeting that has met")
    page.goto(f"/meetings/meeting/{review_meeting.pk}/")
    fits_the_screen(chair, "the agenda of the next meeting")
    page.goto(f"/referrals/triage/{urgent.pk}/")
    fits_the_screen(chair, "triage of Hubert's request, with its history")

    # Given I am the outreach worker, on my phone
    outreach = on_a_phone(open_browser, "test.outreach_worker")
    page = outreach.page
    page.goto(f"/health-checks/{person.pk}/")
    fits_the_screen(outreach, "Zoë's health check page")
    page.goto("/health-checks/")
    fits_the_screen(outreach, "the health check worklist")
    assert LONG_NAME in page.inner_text("main")
    page.goto("/health-checks/coverage/")
    fits_the_screen(outreach, "health check coverage")
    page.goto("/health-checks/updates/")
    fits_the_screen(outreach, "register updates for practices")

    # Given I am the practice's mental health practitioner, on my phone
    mhp = on_a_phone(open_browser, "test.mhp")
    page = mhp.page
    page.goto("/primary-care/")
    fits_the_screen(mhp, "my primary care caseload")
    assert LONG_NAME in page.inner_text("main")
    page.goto("/primary-care/?show=pcn")
    fits_the_screen(mhp, "the PCN's caseload")
    page.goto(f"/primary-care/{person.pk}/")
    fits_the_screen(mhp, "Zoë's primary care page, with her sessions")
    page.goto("/tasks/")
    fits_the_screen(mhp, "my tasks, with the GP's question about Hubert")
    assert LONG_NAME in page.inner_text("main")
    page.goto("/primary-care/supervision/")
    fits_the_screen(mhp, "sessions to review")
    page.goto("/primary-care/advice/")
    fits_the_screen(mhp, "advice to GPs")
    assert LONG_NAME in page.inner_text("main")

    # Given I am the senior peer support worker, on my phone
    senior = on_a_phone(open_browser, "test.senior_peer_support_worker")
    senior.page.goto("/peer-support/")
    fits_the_screen(senior, "the peer support caseloads")
    for path, what in [
        ("/peer-support/referrals/", "referrals waiting for a worker"),
        ("/peer-support/workforce/", "the peer support workforce"),
        (f"/peer-support/workforce/{peer_allocation.worker.pk}/", "a peer support worker's supervision and training"),
        ("/peer-support/directory/", "the community directory"),
        (f"/peer-support/people/{person.pk}/", "Zoë's peer support"),
    ]:
        senior.page.goto(path)
        fits_the_screen(senior, what)

    # Given I am the information governance lead, on my phone
    ig = on_a_phone(open_browser, "test.ig_lead")
    ig.page.goto("/governance/audit/")
    fits_the_screen(ig, "the audit trail")
    ig.page.goto("/governance/emergency-access/?show=all")
    fits_the_screen(ig, "emergency access")
