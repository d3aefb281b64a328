import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind
from joinedup.care import services
from joinedup.care.models import CarePlanVersion, ImmutableVersion, PlanAction, PlanGoal, PlanSection, PlanStatus
from joinedup.care.presenters import compare_versions
from joinedup.care.tests.fixtures import make_agreed_plan
from joinedup.core.tasks import tasks_for
from joinedup.people.services import NotAllowed, consent_record

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def kw(personas):
    return personas.community_clinician


@pytest.fixture
def draft(kw, person):
    return services.plan_draft_start(by=kw, person=person)


def test_new_draft_is_a_copy_of_the_last_agreed_version_with_the_same_goals(kw, person, agreed_plan):
    draft = services.plan_draft_start(by=kw, person=person)
    assert draft.number == agreed_plan.number + 1 and draft.status == PlanStatus.DRAFT
    assert draft.what_matters == agreed_plan.what_matters
    assert draft.needs == agreed_plan.needs
    assert [g.key for g in draft.goals.all()] == [g.key for g in agreed_plan.goals.all()]
    assert draft.actions.count() == agreed_plan.actions.count()
    assert draft.review_date <= services.add_months(TODAY(), 6)
    with pytest.raises(ValidationError, match="already a draft"):
        services.plan_draft_start(by=kw, person=person)


def test_agreeing_needs_date_participation_own_words_and_comments_and_stores_nothing_half(kw, person, draft):
    services.plan_goal_add(by=kw, draft=draft, words="I want to sleep through the night")
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        services.plan_agree(by=kw, draft=draft, agreed_on=None, participation="", own_words=None, person_comments=" ")
    assert set(e.value.message_dict) == {"agreed_on", "participation", "own_words", "person_comments"}
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT and draft.agreed_on is None
    assert not person.timeline.filter(kind="plan_agreed").exists()


def test_agreed_version_is_immutable_in_the_model_and_the_services(kw, person, agreed_plan):
    agreed_plan.what_matters = "changed behind the service's back"
    with pytest.raises(ImmutableVersion):
        agreed_plan.save()
    with pytest.raises(ImmutableVersion):
        agreed_plan.delete()
    goal = agreed_plan.goals.first()
    goal.words = "changed"
    with pytest.raises(ImmutableVersion):
        goal.save()
    with pytest.raises(ImmutableVersion):
        PlanGoal.objects.create(version=agreed_plan, key="x", words="sneaked in")
    with pytest.raises(ValidationError, match="already been agreed"):
        services.plan_agree(
            by=kw, draft=agreed_plan, agreed_on=TODAY(), participation="phone", own_words=True, person_comments="Yes"
        )
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.plan_goal_add(by=kw, draft=agreed_plan, words="More")
    fresh = CarePlanVersion.objects.get(pk=agreed_plan.pk)
    assert fresh.what_matters == "Seeing my sister and keeping my flat"
    assert [g.words for g in fresh.goals.all()] == ["I want to get back to swimming on Saturdays"]


def test_bad_input_is_refused_clearly_and_nothing_is_stored(kw, person, draft):
    with pytest.raises(ValidationError, match="own words"):
        services.plan_goal_add(by=kw, draft=draft, words="   ")
    with pytest.raises(ValidationError, match="Select who will do this"):
        services.plan_action_add(by=kw, draft=draft, description="Ring the council", owner=None, due=TODAY())
    with pytest.raises(ValidationError, match="care team"):
        services.plan_action_add(
            by=kw, draft=draft, description="Ring", owner=personas_far_org(), due=TODAY() + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="today or in the future"):
        services.plan_draft_save(
            by=kw, draft=draft, expected_revision=draft.revision, review_date=TODAY() - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="within 6 months"):
        services.plan_draft_save(
            by=kw, draft=draft, expected_revision=draft.revision, review_date=TODAY() + dt.timedelta(days=200)
        )
    with pytest.raises(ValidationError):
        services.plan_draft_save(
            by=kw, draft=draft, expected_revision=draft.revision, what_matters="<script>x</script>"
        )
    assert not PlanGoal.objects.filter(version=draft).exists()
    assert not PlanAction.objects.filter(version=draft).exists()
    fresh = CarePlanVersion.objects.get(pk=draft.pk)
    assert fresh.revision == draft.revision and fresh.what_matters == ""


def personas_far_org():
    from joinedup.directory.models import Organisation

    return Organisation.objects.filter(kind="vcfse").order_by("-code").first()


def test_two_people_editing_the_same_draft_the_later_save_is_refused_and_nothing_is_lost(personas, person, draft):
    opened = draft.revision
    services.plan_draft_save(
        by=personas.community_clinician, draft=draft, expected_revision=opened, what_matters="Zoë's words: my flat"
    )
    with pytest.raises(services.PlanConflict) as e:
        services.plan_draft_save(
            by=personas.key_worker, draft=draft, expected_revision=opened, what_matters="Seeing my sister"
        )
    changes = {c["label"]: c for c in e.value.changes}
    assert changes["What matters to me"]["saved"] == "Zoë's words: my flat"
    assert changes["What matters to me"]["yours"] == "Seeing my sister"
    assert CarePlanVersion.objects.get(pk=draft.pk).what_matters == "Zoë's words: my flat"


def test_stale_form_in_the_page_shows_what_changed_and_keeps_the_typed_text(client, personas, person, draft):
    client.force_login(personas.key_worker)
    page = client.get(f"/care/{person.pk}/plan/draft/")
    assert page.status_code == 200
    services.plan_draft_save(
        by=personas.community_clinician, draft=draft, expected_revision=draft.revision, what_matters="First save"
    )
    review = TODAY() + dt.timedelta(days=30)
    response = client.post(
        f"/care/{person.pk}/plan/draft/",
        {
            "revision": draft.revision,
            "what_matters": "My later words",
            "review_date-day": review.day,
            "review_date-month": review.month,
            "review_date-year": review.year,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this draft" in body
    assert "First save" in body and "My later words" in body
    assert CarePlanVersion.objects.get(pk=draft.pk).what_matters == "First save"


def test_full_draft_journey_through_the_pages(client, personas, person):
    client.force_login(personas.community_clinician)
    base = f"/care/{person.pk}/plan"
    assert client.post(f"{base}/draft/start/").status_code == 302
    draft = CarePlanVersion.objects.get(person=person)
    review = TODAY() + dt.timedelta(days=60)
    due = TODAY() + dt.timedelta(days=10)
    r = client.post(
        f"{base}/draft/",
        {
            "revision": draft.revision,
            "what_matters": "My dog and my flat",
            "need_housing": "Arrears",
            "review_date-day": review.day,
            "review_date-month": review.month,
            "review_date-year": review.year,
            "share_vcfse": ["what_matters", "goals"],
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    assert client.post(f"{base}/draft/goals/", {"words": ""}).status_code == 200
    assert client.post(f"{base}/draft/goals/", {"words": "Walk to the park every day"}).status_code == 302
    org = personas.partner_professional.primary_organisation
    r = client.post(
        f"{base}/draft/actions/",
        {
            "description": "Benefits check",
            "owner": org.pk,
            "due-day": due.day,
            "due-month": due.month,
            "due-year": due.year,
        },
    )
    assert r.status_code == 302
    r = client.post(f"{base}/draft/actions/", {"description": "No owner", "owner": ""})
    assert "Select who will do this" in r.content.decode()
    draft.refresh_from_db()
    r = client.post(f"{base}/draft/agree/", {"revision": draft.revision})
    assert r.status_code == 200 and "Select how the person took part" in r.content.decode()
    r = client.post(
        f"{base}/draft/agree/",
        {
            "revision": draft.revision,
            "agreed_on-day": TODAY().day,
            "agreed_on-month": TODAY().month,
            "agreed_on-year": TODAY().year,
            "participation": "advocate",
            "own_words": "yes",
            "person_comments": "I am happy with it",
        },
    )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PlanStatus.AGREED and draft.participation == "advocate"
    page = client.get(f"{base}/").content.decode()
    assert "Walk to the park every day" in page and "Through an advocate" in page
    # The VCFSE action owner sees it in their task list.
    tasks = tasks_for(personas.partner_professional)
    assert [t.description for t in tasks if t.source == "Care plan action"] == ["Benefits check"]
    assert draft.sharing == {"vcfse": ["what_matters", "goals"], "local_authority": [], "peer_support": []}
    client.force_login(personas.partner_professional)
    assert "Benefits check" in client.get("/tasks/").content.decode()
    # The person's own actions and other organisations' are not in their list.
    assert all(t.source != "Care plan action" for t in tasks_for(personas.local_authority))


def test_comparing_two_versions_marks_the_changes(kw, person, agreed_plan):
    draft = services.plan_draft_start(by=kw, person=person)
    services.plan_draft_save(
        by=kw, draft=draft, expected_revision=draft.revision, what_matters="Seeing my sister and my new job"
    )
    services.plan_goal_add(by=kw, draft=draft, words="Start volunteering")
    draft = CarePlanVersion.objects.get(pk=draft.pk)
    rows = {r["title"]: r for r in compare_versions(agreed_plan, draft, shown=frozenset(PlanSection.values))}
    wm = rows["What matters to me"]
    assert wm["changed"]
    left = [s for line in wm["left"] for s in line]
    right = [s for line in wm["right"] for s in line]
    assert any(s["marked"] and "flat" in s["text"] for s in left)
    assert any(s["marked"] and "new job" in s["text"] for s in right)
    assert any(not s["marked"] and "Seeing my sister" in s["text"] for s in right)
    goals = [s for line in rows["My goals"]["right"] for s in line]
    assert any(s["marked"] and "volunteering" in s["text"] for s in goals)
    assert not rows["My strengths and the people and community around me"]["changed"]


def test_compare_page_renders_side_by_side(client, kw, person, agreed_plan):
    draft = services.plan_draft_start(by=kw, person=person)
    services.plan_draft_save(by=kw, draft=draft, expected_revision=draft.revision, strengths="New strengths text")
    client.force_login(kw)
    body = client.get(f"/care/{person.pk}/plan/compare/?a=1&b=2").content.decode()
    assert "<ins>New strengths text</ins>" in body
    assert "<del>" in body
    same = client.get(f"/care/{person.pk}/plan/compare/?a=1&b=1").content.decode()
    assert "Select two different versions" in same


def test_partner_sees_only_shared_sections_and_nothing_once_consent_is_withdrawn(client, personas, person, agreed_plan):
    client.force_login(personas.partner_professional)
    body = client.get(f"/care/{person.pk}/plan/").content.decode()
    assert "Seeing my sister and keeping my flat" in body  # what matters: shared with VCFSE
    assert "swimming on Saturdays" in body  # goals: shared
    assert "Crisis line 0800" not in body  # crisis plan: not shared
    assert "Rent arrears letter" not in body  # needs: not shared
    assert "Call the housing officer" not in body  # actions: not shared
    for page in ("plan/versions/1/", "plan/print/", "plan/compare/?a=1&b=1"):
        assert "Crisis line 0800" not in client.get(f"/care/{person.pk}/{page}").content.decode()
    assert "not agreed to share" in client.get(f"/care/{person.pk}/plan/outcomes/").content.decode()
    # An NHS clinician sees it all.
    client.force_login(personas.mhp)
    assert "Crisis line 0800" in client.get(f"/care/{person.pk}/plan/").content.decode()
    # Withdrawing consent hides it at once.
    consent_record(by=personas.mhp, person=person, kind=ConsentKind.VCFSE, given=False)
    client.force_login(personas.partner_professional)
    assert client.get(f"/care/{person.pk}/plan/").status_code == 404
    assert client.get(f"/care/{person.pk}/plan/print/").status_code == 404


def test_peer_support_sees_only_what_is_shared_with_peer_support(client, personas, person, agreed_plan):
    client.force_login(personas.peer_support_worker)
    body = client.get(f"/care/{person.pk}/plan/").content.decode()
    assert "swimming on Saturdays" not in body and "Seeing my sister" not in body


def test_printable_copy_and_pdf_in_large_print_when_needed(client, personas, person, agreed_plan):
    from joinedup.people.services import communication_needs_set

    client.force_login(personas.community_clinician)
    page = client.get(f"/care/{person.pk}/plan/print/").content.decode()
    assert "My care and support plan" in page and "app-large-print" not in page
    communication_needs_set(by=personas.mhp, person=person, needs={"large_print": ""})
    page = client.get(f"/care/{person.pk}/plan/print/").content.decode()
    assert 'class="app-large-print"' in page
    pdf = client.get(f"/care/{person.pk}/plan/print/pdf/?version=1")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_outsider_cannot_touch_plans(personas, person, agreed_plan):
    with pytest.raises(NotAllowed):
        services.plan_draft_start(by=personas.outsider, person=person)
    with pytest.raises(NotAllowed):
        services.plan_draft_start(by=personas.partner_professional, person=person)


def test_caseload_lists_overdue_first_with_a_constant_number_of_queries(
    client, personas, practice, django_assert_max_num_queries
):
    from joinedup.care.services import care_team_add
    from joinedup.people.services import person_register

    kw = personas.key_worker

    def add_people(n, start):
        made = []
        for i in range(start, start + n):
            p = person_register(
                by=personas.gp_practice_staff,
                given_name=f"Case{i}",
                family_name="Load",
                date_of_birth=dt.date(1980, 1, 1),
                practice=practice,
                consents={"nhs": True},
            )
            care_team_add(
                by=personas.mhp,
                person=p,
                user=kw,
                organisation=kw.primary_organisation,
                role_title="KW",
                is_key_worker=True,
            )
            made.append(p)
        return made

    people = add_people(2, 0)
    make_agreed_plan(by=kw, person=people[0])
    client.force_login(kw)
    with django_assert_max_num_queries(12) as small:
        client.get("/care/caseload/")
    add_people(8, 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get("/care/caseload/").content.decode()
    assert body.count("Load") >= 10
    # Make person 0's review overdue by agreeing a plan whose review date then passes.
    from joinedup.care.queries import caseload_for

    CarePlanVersion.objects.filter(person=people[0]).update(review_date=TODAY() - dt.timedelta(days=3))
    rows = caseload_for(user=kw)
    assert rows[0].pk == people[0].pk


def test_an_organisation_sees_its_own_actions_even_when_actions_are_not_shared(client, personas, person):
    kw = personas.community_clinician
    draft = services.plan_draft_start(by=kw, person=person)
    services.plan_draft_save(
        by=kw, draft=draft, expected_revision=draft.revision, sharing={"vcfse": ["goals"]}, review_date=TODAY()
    )
    services.plan_goal_add(by=kw, draft=draft, words="I want to swim again")
    vcfse = personas.partner_professional.primary_organisation
    services.plan_action_add(by=kw, draft=draft, description="Swim buddy scheme", owner=vcfse, due=TODAY())
    services.plan_action_add(by=kw, draft=draft, description="Ring my sister", owner="person", due=TODAY())
    draft.refresh_from_db()
    services.plan_agree(
        by=kw, draft=draft, agreed_on=TODAY(), participation="phone", own_words=True, person_comments="Fine"
    )
    client.force_login(personas.partner_professional)
    body = client.get(f"/care/{person.pk}/plan/").content.decode()
    assert "Swim buddy scheme" in body
    assert "Ring my sister" not in body


def test_stepping_care_up_or_down_keeps_key_worker_and_plan(client, personas, person, agreed_plan):
    from joinedup.care.queries import key_worker_for, level_of_care_for

    key_worker = key_worker_for(person=person)
    client.force_login(personas.community_clinician)
    assert client.get(f"/care/{person.pk}/level/").status_code == 200
    response = client.post(f"/care/{person.pk}/level/", {"level": "emdt", "reason": "Needs several services"})
    assert response.status_code == 302
    response = client.post(f"/care/{person.pk}/level/", {"level": "emdt", "reason": "Again"})
    assert "already at this level" in response.content.decode()
    response = client.post(f"/care/{person.pk}/level/", {"level": "cmht", "reason": "Longer-term support"})
    assert level_of_care_for(person=person).level == "cmht"
    assert key_worker_for(person=person) == key_worker
    assert list(CarePlanVersion.objects.filter(person=person)) == [agreed_plan]
    page = client.get(f"/care/{person.pk}/level/").content.decode()
    assert "Longer-term support" in page and "Needs several services" in page


def test_sharing_a_draft_with_the_person_is_audited_on_the_timeline_without_content_and_twice_changes_nothing(
    kw, personas, person, draft
):
    from joinedup.core.models import AuditEvent

    assert not draft.shared_with_person
    shared = services.plan_draft_share(by=kw, draft=draft, shared=True)
    assert shared.shared_with_person and shared.revision == draft.revision
    services.plan_draft_share(by=kw, draft=draft, shared=True)
    entries = person.timeline.filter(kind="plan_draft_shared")
    assert entries.count() == 1 and "shared with the person" in entries.get().summary
    assert AuditEvent.objects.filter(person=person, what="care plan draft shared with the person").count() == 1
    services.plan_draft_share(by=kw, draft=draft, shared=False)
    draft.refresh_from_db()
    assert not draft.shared_with_person and entries.count() == 2
    with pytest.raises(NotAllowed):
        services.plan_draft_share(by=personas.outsider, draft=draft, shared=True)
