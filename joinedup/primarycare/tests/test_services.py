import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from joinedup.accounts.roles import Role
from joinedup.accounts.services import staff_create
from joinedup.core.models import AuditEvent, Service, TimelineEntry
from joinedup.people.services import NotAllowed
from joinedup.primarycare import services
from joinedup.primarycare.models import Advice, Assessment, Episode, GpRequest, OnwardReferral, Session

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _session(by, episode, **overrides):
    fields = {
        "session_type": "problem_solving",
        "held_on": TODAY(),
        "what_was_done": "Worked through a problem list",
        "outcome": "Chose one problem to tackle",
    }
    return services.session_record(by=by, episode=episode, **(fields | overrides))


def _timeline(person, kind):
    return TimelineEntry.objects.filter(person=person, service=Service.PRIMARY_CARE, kind=kind)


# GP requests and advice


def test_gp_question_is_recorded_on_the_timeline_without_its_clinical_text(personas, person):
    request = services.request_create(by=personas.gp_practice_staff, person=person, question="Worried about mood")
    assert request.status == GpRequest.Status.WAITING
    assert request.pcn == person.practice.pcn
    entry = _timeline(person, "gp_request").get()
    assert "Worried" not in entry.summary
    assert AuditEvent.objects.filter(person=person, what="GP request to the PCN MHPs").exists()


def test_an_empty_gp_question_is_refused(personas, person):
    with pytest.raises(ValidationError) as e:
        services.request_create(by=personas.gp_practice_staff, person=person, question="   ")
    assert "Enter your question" in str(e.value)
    assert not GpRequest.objects.exists()


def test_only_practice_staff_ask(personas, person):
    with pytest.raises(NotAllowed):
        services.request_create(by=personas.community_clinician, person=person, question="Help")


def test_advice_answers_the_gp_question_without_adding_to_the_caseload(personas, person):
    request = services.request_create(by=personas.gp_practice_staff, person=person, question="Medication?")
    advice = services.advice_record(
        by=personas.mhp, person=person, request=request, question="", advice="Review in two weeks", given_on=TODAY()
    )
    request.refresh_from_db()
    assert request.status == GpRequest.Status.ADVICE_GIVEN
    assert advice.question == "Medication?"
    assert advice.asked_by == personas.gp_practice_staff
    assert advice.practice == person.practice
    assert not Episode.objects.exists()
    assert _timeline(person, "gp_advice").exists()
    with pytest.raises(ValidationError, match="already been answered"):
        services.advice_record(
            by=personas.mhp, person=person, request=request, question="", advice="x", given_on=TODAY()
        )


def test_advice_without_a_request_needs_who_asked_and_the_question(personas, person):
    with pytest.raises(ValidationError) as e:
        services.advice_record(by=personas.mhp, person=person, question="Q", advice="A", given_on=TODAY())
    assert "asked_by_name" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.advice_record(
            by=personas.mhp,
            person=person,
            asked_by_name="Dr Patel, GP",
            question="Q",
            advice="A",
            given_on=TODAY() + dt.timedelta(days=1),
        )
    assert "today or in the past" in str(e.value)
    assert not Advice.objects.exists()


def test_the_outsider_mhp_cannot_advise_about_someone_outside_their_pcn(personas, person):
    with pytest.raises(NotAllowed):
        services.advice_record(
            by=personas.outsider, person=person, asked_by_name="Dr X", question="Q", advice="A", given_on=TODAY()
        )


# The caseload


def test_adding_from_a_gp_request_keeps_the_question(personas, person, pc_episode):
    assert pc_episode.source == Episode.Source.GP_REQUEST
    assert pc_episode.mhp == personas.mhp
    assert "Low mood" in pc_episode.reason
    assert pc_episode.request.status == GpRequest.Status.ADDED_TO_CASELOAD
    assert _timeline(person, "caseload_added").exists()


def test_a_person_is_on_one_caseload_at_a_time(personas, person, pc_episode):
    with pytest.raises(ValidationError, match="already on"):
        services.episode_open(by=personas.mhp, person=person, reason="Again")
    assert Episode.objects.count() == 1


def test_a_trainee_cannot_add_to_the_caseload(personas, person):
    with pytest.raises(NotAllowed):
        services.episode_open(by=personas.trainee_psychologist, person=person, reason="x")


def test_the_caseload_holder_must_be_an_mhp_in_the_persons_pcn(personas, person):
    with pytest.raises(ValidationError) as e:
        services.episode_open(by=personas.mhp, person=person, reason="x", mhp=personas.trainee_psychologist)
    assert "not a mental health practitioner" in str(e.value)


@override_settings(PRIMARY_CARE_CASELOAD_LIMIT=0)
def test_a_full_caseload_is_refused(personas, person):
    with pytest.raises(ValidationError) as e:
        services.episode_open(by=personas.mhp, person=person, reason="Needs help")
    assert "caseload is full" in str(e.value)
    assert not Episode.objects.exists()


# Assessment


def test_assessment_records_needs_by_care_plan_domain(personas, person, pc_episode):
    a = services.assessment_record(
        by=personas.mhp,
        episode=pc_episode,
        assessed_on=TODAY(),
        needs={"mental_health": "Low mood", "money": "Rent arrears", "housing": ""},
        risk_summary="No current thoughts of self-harm",
        what_matters="Getting back to work",
        baseline=Assessment.Baseline.DIALOG,
    )
    assert a.needs == {"mental_health": "Low mood", "money": "Rent arrears"}
    assert "mental health, money" in _timeline(person, "assessment").get().detail


def test_assessment_without_needs_or_an_unknown_domain_is_refused(personas, pc_episode):
    base = {
        "by": personas.mhp,
        "episode": pc_episode,
        "assessed_on": TODAY(),
        "risk_summary": "r",
        "what_matters": "w",
        "baseline": "later",
    }
    with pytest.raises(ValidationError, match="at least one presenting need"):
        services.assessment_record(**base, needs={"mental_health": "  "})
    with pytest.raises(ValidationError, match="Unknown need domain"):
        services.assessment_record(**base, needs={"astrology": "x"})
    with pytest.raises(ValidationError, match="baseline"):
        services.assessment_record(**(base | {"baseline": ""}), needs={"safety": "x"})
    assert not Assessment.objects.exists()


# Sessions


def test_a_session_without_a_type_is_refused(personas, pc_episode):
    with pytest.raises(ValidationError) as e:
        _session(personas.mhp, pc_episode, session_type="")
    assert e.value.message_dict["session_type"] == ["Select the type of session"]
    with pytest.raises(ValidationError):
        _session(personas.mhp, pc_episode, session_type="hypnosis")
    assert not Session.objects.exists()


def test_a_session_in_the_future_or_before_the_episode_is_refused(personas, pc_episode):
    with pytest.raises(ValidationError, match="today or in the past"):
        _session(personas.mhp, pc_episode, held_on=TODAY() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="on or after"):
        _session(personas.mhp, pc_episode, held_on=pc_episode.opened_on - dt.timedelta(days=1))
    assert not Session.objects.exists()


def test_sessions_are_numbered_and_on_the_timeline(personas, person, pc_episode):
    first = _session(personas.mhp, pc_episode)
    second = _session(personas.mhp, pc_episode)
    assert (first.number, second.number) == (1, 2)
    assert first.supervisor is None
    assert _timeline(person, "session").count() == 2


@override_settings(PRIMARY_CARE_SESSION_LIMIT=2)
def test_beyond_the_session_limit_a_reason_is_needed(personas, pc_episode):
    _session(personas.mhp, pc_episode)
    _session(personas.mhp, pc_episode)
    with pytest.raises(ValidationError) as e:
        _session(personas.mhp, pc_episode)
    assert "limit is 2" in e.value.message_dict["over_limit_reason"][0]
    third = _session(personas.mhp, pc_episode, over_limit_reason="Waiting for Talking Therapies; keeping contact")
    assert third.number == 3 and third.over_limit_reason


def test_a_trainee_names_a_supervising_mhp(personas, pc_episode):
    with pytest.raises(ValidationError) as e:
        _session(personas.trainee_psychologist, pc_episode)
    assert "supervisor" in e.value.message_dict
    with pytest.raises(ValidationError):
        _session(personas.trainee_psychologist, pc_episode, supervisor=personas.outsider)
    session = _session(personas.trainee_psychologist, pc_episode, supervisor=personas.mhp)
    assert session.supervisor == personas.mhp


def test_only_the_supervisor_reviews_and_only_once(personas, person, pc_trainee_session):
    other_mhp = staff_create(
        username="other.mhp",
        first_name="Oscar",
        last_name="Other",
        memberships=[(personas.mhp.primary_membership.team, Role.MHP)],
    )
    with pytest.raises(ValidationError, match="named supervisor"):
        services.session_review(by=other_mhp, session=pc_trainee_session)
    reviewed = services.session_review(by=personas.mhp, session=pc_trainee_session, comment="Good plan")
    assert reviewed.reviewed_by == personas.mhp
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.session_review(by=personas.mhp, session=pc_trainee_session)
    assert _timeline(person, "session_reviewed").exists()


def test_a_trainee_cannot_review(personas, pc_trainee_session):
    with pytest.raises(NotAllowed):
        services.session_review(by=personas.trainee_psychologist, session=pc_trainee_session)


# Onward referrals and discharge


def test_onward_referrals_are_on_the_timeline(personas, person, pc_episode):
    for kind in ("talking_therapies", "peer_support", "emdt_request", "secondary_care"):
        services.onward_referral_record(by=personas.mhp, episode=pc_episode, kind=kind, reason="r", referred_on=TODAY())
    services.onward_referral_record(
        by=personas.mhp,
        episode=pc_episode,
        kind="vcfse",
        service_name="Lancashire Mind",
        reason="r",
        referred_on=TODAY(),
    )
    assert OnwardReferral.objects.count() == 5
    summaries = list(_timeline(person, "onward_referral").values_list("detail", flat=True))
    assert any("Lancashire Mind" in s for s in summaries)
    assert any("Peer support" in s for s in summaries)


def test_a_vcfse_referral_names_the_service(personas, pc_episode):
    with pytest.raises(ValidationError) as e:
        services.onward_referral_record(
            by=personas.mhp, episode=pc_episode, kind="vcfse", reason="r", referred_on=TODAY()
        )
    assert "service_name" in e.value.message_dict
    with pytest.raises(ValidationError):
        services.onward_referral_record(by=personas.mhp, episode=pc_episode, kind="", reason="r", referred_on=TODAY())


def test_discharge_with_a_summary_for_the_gp(personas, person, pc_episode):
    done = services.episode_discharge(
        by=personas.mhp,
        episode=pc_episode,
        expected_version=pc_episode.version,
        discharged_on=TODAY(),
        reason="goals_met",
        summary="Mood improved after four sessions",
        gp_follow_up="Review at next appointment",
    )
    assert done.status == Episode.Status.DISCHARGED
    assert _timeline(person, "discharged").get().link.endswith(f"/discharge-summary/{done.pk}/")
    with pytest.raises(ValidationError, match="discharged"):
        _session(personas.mhp, done)
    # Once discharged, they can be added again.
    again = services.episode_open(by=personas.mhp, person=person, reason="Back again")
    assert again.is_open


def test_a_stale_discharge_form_is_refused(personas, pc_episode):
    args = {"by": personas.mhp, "episode": pc_episode, "discharged_on": TODAY(), "reason": "goals_met"}
    with pytest.raises(ValidationError, match="Someone else"):
        services.episode_discharge(**args, expected_version=pc_episode.version - 1, summary="s")
    with pytest.raises(ValidationError) as e:
        services.episode_discharge(**args, expected_version=pc_episode.version, summary="")
    assert "summary" in e.value.message_dict
    pc_episode.refresh_from_db()
    assert pc_episode.is_open


def test_markup_in_free_text_is_refused(personas, pc_episode):
    with pytest.raises(ValidationError):
        _session(personas.mhp, pc_episode, what_was_done="<script>alert(1)</script>")
    assert not Session.objects.exists()


def test_the_mhp_task_list_has_waiting_questions_and_sessions_to_review(personas, person, pc_trainee_session):
    from joinedup.core.tasks import tasks_for

    services.request_create(by=personas.gp_practice_staff, person=person, question="Another question")
    sources = [t.source for t in tasks_for(personas.mhp)]
    assert "GP question" in sources and "Session to review" in sources
    assert not [t for t in tasks_for(personas.outsider) if t.source in ("GP question", "Session to review")]
