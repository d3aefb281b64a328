import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.core.access import visible_people
from joinedup.core.models import AuditEvent, TimelineEntry
from joinedup.healthchecks import services
from joinedup.healthchecks.models import Booking, Claim, CodedResult, FollowUp, RegisterEntry, Reminder
from joinedup.healthchecks.queries import Scope, coverage, suppress, suppressed_percent, worklist
from joinedup.healthchecks.registers import import_register
from joinedup.people.models import Person
from joinedup.people.services import NotAllowed

from .helpers import nhs_for, register_file, row

pytestmark = pytest.mark.django_db


def test_outreach_worker_sees_people_on_their_providers_registers_only(practice, far_practice, personas):
    import_register(register_file(practice.ods_code, [row(practice.ods_code, 1)]))
    import_register(register_file(far_practice.ods_code, [row(far_practice.ods_code, 2)]))
    calico = personas.outreach_worker
    blackpool_person = Person.objects.get(nhs_number=nhs_for(1))
    furness_person = Person.objects.get(nhs_number=nhs_for(2))
    seen = visible_people(calico)
    assert seen.filter(pk=blackpool_person.pk).exists()
    assert not seen.filter(pk=furness_person.pk).exists()  # Spring North's register
    assert not visible_people(personas.outsider).filter(pk=blackpool_person.pk).exists()


def test_two_workers_cannot_claim_the_same_person(on_register, personas, practice):
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create

    second = staff_create(
        username="second.outreach",
        first_name="Sam",
        last_name="Second",
        memberships=[(personas.outreach_worker.primary_membership.team, Role.OUTREACH_WORKER)],
        password="correct horse battery",
    )
    services.claim(by=personas.outreach_worker, person=on_register)
    with pytest.raises(ValidationError, match="already working"):
        services.claim(by=second, person=on_register)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(person=on_register, worker=second)
    services.claim_release(by=personas.outreach_worker, person=on_register)
    assert services.claim(by=second, person=on_register).worker == second


def test_do_not_contact_allows_only_the_key_worker_route(on_register, personas):
    Person.objects.filter(pk=on_register.pk).update(do_not_contact=True)
    on_register.refresh_from_db()
    with pytest.raises(ValidationError, match="key worker"):
        services.contact_record(by=personas.outreach_worker, person=on_register, method="phone", outcome="no_answer")
    services.contact_record(by=personas.outreach_worker, person=on_register, method="key_worker", outcome="accepted")


def test_failed_attempts_flag_hard_to_reach_and_tell_the_key_worker(on_register, personas, settings):
    settings.HEALTH_CHECK_HARD_TO_REACH = 2
    for _ in range(2):
        services.contact_record(by=personas.outreach_worker, person=on_register, method="phone", outcome="no_answer")
    entry = RegisterEntry.objects.get(person=on_register)
    assert entry.failed_attempts == 2 and entry.hard_to_reach
    assert TimelineEntry.objects.filter(person=on_register, kind="hard_to_reach").count() == 1
    reminder = Reminder.objects.get(person=on_register)
    assert reminder.owner == personas.community_clinician  # the key worker
    from joinedup.core.tasks import tasks_for

    assert any("Help the outreach team" in t.description for t in tasks_for(personas.community_clinician))


def test_contact_needs_permission_and_relationship(on_register, personas):
    with pytest.raises(NotAllowed):
        services.contact_record(by=personas.outsider, person=on_register, method="phone", outcome="no_answer")
    with pytest.raises(ValidationError):
        services.contact_record(by=personas.outreach_worker, person=on_register, method="pigeon", outcome="no_answer")


def test_booking_reminder_and_missed_back_on_worklist(on_register, personas):
    at = timezone.now() + dt.timedelta(days=5)
    booking = services.booking_create(
        by=personas.outreach_worker, person=on_register, provider_kind="vcfse", at=at, place="Calico clinic"
    )
    assert Reminder.objects.get(booking=booking).owner == personas.outreach_worker
    with pytest.raises(ValidationError):
        services.booking_create(
            by=personas.outreach_worker,
            person=on_register,
            provider_kind="vcfse",
            at=timezone.now() - dt.timedelta(days=1),
            place="x",
        )
    services.booking_missed(by=personas.outreach_worker, booking=booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.MISSED
    assert TimelineEntry.objects.filter(person=on_register, kind="missed").exists()
    provider = personas.outreach_worker.primary_organisation
    rows, _ = worklist(by=personas.outreach_worker, scope=Scope("provider", provider.pk, ""))
    assert on_register.pk in [r.person_id for r in rows]


def test_full_check_with_high_bmi_suggests_follow_ups_and_leaves_the_worklist(hc_check, on_register, personas):
    assert str(hc_check.bmi) == "31.1" and hc_check.full
    codes = set(FollowUp.objects.filter(check_record=hc_check).values_list("code", flat=True))
    assert codes == {"bmi_high", "smoker"}
    entry = RegisterEntry.objects.get(person=on_register)
    assert entry.last_full_check == timezone.localdate()
    provider = personas.outreach_worker.primary_organisation
    rows, _ = worklist(by=personas.outreach_worker, scope=Scope("provider", provider.pk, ""))
    assert on_register.pk not in [r.person_id for r in rows]
    assert AuditEvent.objects.filter(person=on_register, what="physical health check").exists()
    # Follow-ups are tasks for their owner until closed.
    from joinedup.core.tasks import tasks_for

    assert any("stop smoking" in t.description for t in tasks_for(personas.health_check_provider))
    follow_up = FollowUp.objects.get(check_record=hc_check, code="smoker")
    services.follow_up_close(by=personas.health_check_provider, follow_up=follow_up, status="done", note="Referred")
    with pytest.raises(ValidationError):
        services.follow_up_close(by=personas.health_check_provider, follow_up=follow_up, status="done")


def test_partial_check_is_not_full_and_bad_values_are_refused(on_register, personas):
    check = services.check_record(
        by=personas.health_check_provider, person=on_register, done_on=timezone.localdate(), systolic=150, diastolic=95
    )
    assert not check.full
    # One reading over both limits: one blood pressure follow-up, with both reasons.
    (follow_up,) = check.follow_ups.all()
    assert follow_up.action == "Blood pressure review with the GP"
    assert follow_up.reason == "Systolic blood pressure above 140; Diastolic blood pressure above 90"
    with pytest.raises(ValidationError) as e:
        services.check_record(
            by=personas.health_check_provider, person=on_register, done_on=timezone.localdate(), systolic=900
        )
    assert "systolic" in e.value.message_dict
    with pytest.raises(ValidationError):
        services.check_record(
            by=personas.health_check_provider,
            person=on_register,
            done_on=timezone.localdate() + dt.timedelta(days=1),
            pulse=70,
        )


def test_register_update_is_never_sent_twice_unless_resent(hc_check, personas, practice):
    made = services.update_file_create(by=personas.gp_practice_staff, practice=practice)
    lines = made.content.strip().splitlines()
    assert lines[0] == "nhs_number,date,snomed_code,description,value,unit"
    assert any(",60621009,Body mass index,31.1,kg/m2" in line for line in lines)
    assert any(",77176002,Smoker,," in line for line in lines)
    assert CodedResult.objects.filter(update_file__isnull=True).count() == 0
    with pytest.raises(ValidationError, match="no new results"):
        services.update_file_create(by=personas.gp_practice_staff, practice=practice)
    with pytest.raises(ValidationError):
        services.update_file_mark(by=personas.gp_practice_staff, update_file=made, step="acknowledged")
    services.update_file_mark(by=personas.gp_practice_staff, update_file=made, step="sent")
    services.update_file_mark(by=personas.gp_practice_staff, update_file=made, step="acknowledged")
    again = services.update_file_resend(by=personas.gp_practice_staff, update_file=made)
    assert again.content == made.content and again.resend_of == made
    with pytest.raises(NotAllowed):
        services.update_file_create(by=personas.commissioner, practice=practice)


def test_plan_is_versioned(on_register, personas):
    plan = services.plan_save(
        by=personas.outreach_worker,
        person=on_register,
        what_matters="Walking my dog",
        goals="Stop smoking",
        agreed=True,
        expected_version=None,
    )
    services.plan_save(
        by=personas.outreach_worker,
        person=on_register,
        what_matters="x",
        goals="y",
        agreed=True,
        expected_version=plan.version,
    )
    with pytest.raises(services.StalePlan):
        services.plan_save(
            by=personas.outreach_worker,
            person=on_register,
            what_matters="z",
            goals="",
            agreed=False,
            expected_version=plan.version,
        )


@pytest.mark.parametrize(
    "count,shown", [(0, "0"), (1, "*"), (7, "*"), (8, "10"), (12, "10"), (13, "15"), (1234, "1,235"), (1232, "1,230")]
)
def test_suppression(count, shown):
    assert suppress(count) == shown


def test_suppressed_percent():
    assert suppressed_percent(5, 100) == "*"
    assert suppressed_percent(76, 100) == "75%"
    assert suppressed_percent(0, 0) == "-"


def test_coverage_counts(practice, personas, hc_check):
    import_register(
        register_file(
            practice.ods_code,
            [row(practice.ods_code, 0, family="Ashworth", given="Zoë", dob="1984-03-15")]
            + [row(practice.ods_code, i) for i in range(1, 10)],
        )
    )
    rows = coverage(group="practice")
    assert len(rows) == 1
    r = rows[0]
    assert (r.register, r.checked_12m, r.none_36m, r.checks_done) == (10, 1, 9, 1)
    assert r.shown["register"] == "10" and r.shown["checked_12m"] == "*"


def test_worklist_order_and_queries(practice, personas, django_assert_max_num_queries):
    today = timezone.localdate()
    header = "practice_code,nhs_number,family_name,given_name,date_of_birth,smi_code,last_full_check_date"
    rows = [
        [
            practice.ods_code,
            nhs_for(1),
            "A",
            "Recent",
            "1980-01-01",
            "58214004",
            (today - dt.timedelta(days=30)).isoformat(),
        ],
        [practice.ods_code, nhs_for(2), "B", "Old", "1980-01-01", "58214004", "2020-01-01"],
        [practice.ods_code, nhs_for(3), "C", "Never", "1980-01-01", "58214004", ""],
        [
            practice.ods_code,
            nhs_for(4),
            "D",
            "Due",
            "1980-01-01",
            "58214004",
            (today - dt.timedelta(days=400)).isoformat(),
        ],
        [
            practice.ods_code,
            nhs_for(5),
            "E",
            "Child",
            (today - dt.timedelta(days=365 * 10)).isoformat(),
            "58214004",
            "",
        ],
    ]
    import_register(register_file(practice.ods_code, rows, header=header))
    provider = personas.outreach_worker.primary_organisation
    with django_assert_max_num_queries(6):
        page, more = worklist(by=personas.outreach_worker, scope=Scope("provider", provider.pk, ""))
        names = [r.given_name for r in page]
    assert names == ["Never", "Old", "Due"] and not more


def test_reaching_the_person_closes_the_hard_to_reach_task(on_register, personas, settings):
    settings.HEALTH_CHECK_HARD_TO_REACH = 1
    services.contact_record(by=personas.outreach_worker, person=on_register, method="letter", outcome="wrong_number")
    assert Reminder.objects.filter(person=on_register, done_at__isnull=True).count() == 1
    services.contact_record(by=personas.outreach_worker, person=on_register, method="phone", outcome="accepted")
    assert Reminder.objects.filter(person=on_register, done_at__isnull=True).count() == 0
    assert not RegisterEntry.objects.get(person=on_register).hard_to_reach


def test_health_plan_summary_for_the_care_plan(on_register, personas, request):
    from django.template.loader import render_to_string

    from joinedup.healthchecks.queries import health_plan_summary_for

    assert health_plan_summary_for(person=on_register) is None
    request.getfixturevalue("hc_check")  # a check with a high BMI and smoking: open follow-ups

    summary = health_plan_summary_for(person=on_register)
    assert summary is not None and summary.follow_ups and summary.goals == ""
    services.plan_save(
        by=personas.outreach_worker,
        person=on_register,
        what_matters="Walking my dog",
        goals="Stop smoking",
        agreed=True,
        expected_version=None,
    )
    summary = health_plan_summary_for(person=on_register)
    assert summary.goals == "Stop smoking"
    html = render_to_string("healthchecks/_care_plan_summary.jinja", {"health_plan": summary})
    assert "Walking my dog" in html and summary.follow_ups[0].action in html
    assert render_to_string("healthchecks/_care_plan_summary.jinja", {"health_plan": None}).strip() == ""


def test_a_practice_worklist_shows_only_people_the_access_policy_grants(on_register, personas, practice, far_practice):
    """The worklist's scope is a register, but each row still has to pass the access policy: someone on this
    practice's register who is now registered with another practice is not shown to this practice's staff."""
    from joinedup.people.models import Person

    staff = personas.gp_practice_staff
    scope = Scope("practice", practice.pk, practice.name)
    rows, _ = worklist(by=staff, scope=scope)
    assert [r.person_id for r in rows] == [on_register.pk]
    assert rows[0].given_name == "Zoë" and rows[0].practice_name == practice.name

    Person.objects.filter(pk=on_register.pk).update(practice=far_practice)
    rows, more = worklist(by=type(staff).objects.get(pk=staff.pk), scope=scope)
    assert rows == [] and not more


def test_every_element_a_check_can_record_has_a_row_in_the_check_elements_file(on_register, personas):
    from joinedup.healthchecks.models import WIDER_ELEMENTS
    from joinedup.healthchecks.valuesets import check_elements

    everything = {name: low for name, (low, _, _) in services.RANGES.items()}
    elements = set()
    for smoking, glucose_kind in (("current", "fasting"), ("ex", "random"), ("never", "random")):
        check = services.check_record(
            by=personas.health_check_provider,
            person=on_register,
            done_on=timezone.localdate(),
            wider={code: "A note" for code in WIDER_ELEMENTS},
            smoking=smoking,
            glucose_kind=glucose_kind,
            **everything,
        )
        recorded = dict(services.recorded_elements(check))
        assert CodedResult.objects.filter(check_record=check).count() == len(recorded)
        elements |= set(recorded)
    assert elements == set(check_elements())


def test_a_file_is_not_made_from_results_that_have_no_code(on_register, personas, practice):
    services.check_record(by=personas.health_check_provider, person=on_register, done_on=timezone.localdate(), pulse=70)
    with pytest.raises(ValidationError, match="no new results"):
        services.update_file_create(by=personas.gp_practice_staff, practice=practice)
    assert CodedResult.objects.get(update_file__isnull=True).description == "Pulse rate"


def test_stopping_outreach_keeps_the_claim_with_who_ended_it_and_why(on_register, personas):
    services.claim(by=personas.outreach_worker, person=on_register)
    services.claim_release(by=personas.outreach_worker, person=on_register)
    claim = Claim.objects.get(person=on_register)
    assert claim.released_by == personas.outreach_worker and claim.release_reason == Claim.Ended.STOPPED
    assert AuditEvent.objects.filter(person=on_register, what="health check outreach claim ended").exists()


def test_a_check_cannot_close_an_appointment_that_is_not_still_booked(on_register, personas):
    at = timezone.now() + dt.timedelta(days=5)
    booking = services.booking_create(
        by=personas.outreach_worker, person=on_register, provider_kind="vcfse", at=at, place="Calico clinic"
    )
    services.booking_missed(by=personas.outreach_worker, booking=booking)
    with pytest.raises(ValidationError) as e:
        services.check_record(
            by=personas.health_check_provider,
            person=on_register,
            done_on=timezone.localdate(),
            booking=booking,
            pulse=70,
        )
    assert "already missed" in e.value.message_dict["booking"][0]
