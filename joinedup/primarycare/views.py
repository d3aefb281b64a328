from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from joinedup.accounts.roles import Perm, Role
from joinedup.care.queries import key_worker_for
from joinedup.core.access import may
from joinedup.core.audit import audit_list
from joinedup.core.decorators import requires
from joinedup.people.decorators import person_action, person_page
from joinedup.people.presenters import PersonPresenter
from joinedup.people.services import NotAllowed

from . import presenters, queries, rules, services
from .forms import (
    AdviceForm,
    AskForm,
    AssessmentForm,
    DischargeForm,
    EpisodeOpenForm,
    OnwardReferralForm,
    ReviewForm,
    SessionForm,
)


def _presenter(person):
    return PersonPresenter(person, key_worker=key_worker_for(person=person))


def _attempt(form, call):
    """Run a service call; its refusals become form errors. Returns the result or None."""
    try:
        return call()
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationError as e:
        form.add_service_error(e)
        return None


def _can(request, person):
    user = request.user
    return {
        "manage": may(user, Perm.PC_MANAGE_CASELOAD, person),
        "deliver": may(user, Perm.PC_DELIVER_SESSION, person),
        "supervise": may(user, Perm.PC_SUPERVISE, person),
        "ask": may(user, Perm.PC_ASK_ADVICE, person),
    }


# Lists --------------------------------------------------------------------------------------------------------


@requires(Perm.PC_VIEW_CASELOAD)
def caseload(request):
    user = request.user
    pcns = queries.pcns_for(user)
    is_mhp = Role.MHP in user.roles
    whole_pcn = request.GET.get("show") == "pcn" or not is_mhp
    rows = queries.caseload_for(by=user, pcns=pcns) if whole_pcn else queries.caseload_for(by=user, mhp=user)
    requests = queries.waiting_requests_for(by=user, pcns=pcns)
    audit_list(
        by=user,
        what="primary care caseload",
        person_ids=[r.person_id for r in requests] + [row["person_id"] for row in rows],
        reason="Shown on the primary care caseload ("
        + ("the whole PCN's" if whole_pcn else "their MHP's own")
        + ") or waiting with a GP question",
        request=request,
    )
    return render(
        request,
        "primarycare/caseload.jinja",
        {
            "rows": presenters.CaseloadRows(rows),
            "whole_pcn": whole_pcn,
            "is_mhp": is_mhp,
            "pcns": pcns,
            "requests": requests,
            "session_limit": rules.session_limit(),
            "caseload_limit": rules.caseload_limit(),
            "can_manage": may(user, Perm.PC_MANAGE_CASELOAD),
        },
    )


@requires(Perm.PC_VIEW)
def advice_list(request):
    practices = queries.practices_for_advice(by=request.user)
    chosen = queries.practice_by_code(request.GET.get("practice", ""))
    if chosen is not None and chosen not in practices:
        chosen = None
    return render(
        request,
        "primarycare/advice_list.jinja",
        {
            "practices": practices,
            "chosen": chosen,
            "advice": queries.advice_list_for(by=request.user, practice=chosen),
        },
    )


@requires(Perm.PC_SUPERVISE)
def supervision(request):
    sessions = queries.sessions_to_review_for(by=request.user)
    audit_list(
        by=request.user,
        what="sessions to review",
        person_ids=[s.person_id for s in sessions],
        reason="Shown to their trainee's supervisor: a session waiting for review",
        request=request,
    )
    return render(request, "primarycare/supervision.jinja", {"sessions": sessions})


# The person's primary care page ------------------------------------------------------------------------------


@person_page(Perm.PC_VIEW, "primary care mental health")
def person(request, person):
    episodes = queries.episodes_for(person=person)
    current = next((e for e in episodes if e.is_open), None)
    return render(
        request,
        "primarycare/person.jinja",
        {
            "person": _presenter(person),
            "episodes": episodes,
            "current": current,
            "limit_status": presenters.session_limit_status(len(current.sessions.all())) if current else None,
            "assessment": current.assessments.all()[0] if current and current.assessments.all() else None,
            "needs_rows": presenters.needs_rows,
            "referrals": [presenters.ReferralPresenter(r, person) for r in current.onward_referrals.all()]
            if current
            else [],
            "outcomes_url": presenters.outcome_measures_url(person),
            "advice": queries.advice_for_person(person=person),
            "requests": queries.requests_for_person(person=person),
            "can": _can(request, person),
            "user_pk": request.user.pk,
        },
    )


@person_action(Perm.PC_ASK_ADVICE, "ask the PCN mental health practitioners")
def ask(request, person):
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        question = _attempt(form, lambda: services.request_create(by=request.user, person=person, **form.cleaned_data))
        if question:
            messages.success(request, "Your question has been sent to the PCN's mental health practitioners")
            return redirect("primarycare:person", person.pk)
    return render(request, "primarycare/ask.jinja", {"person": _presenter(person), "form": form})


@person_action(Perm.PC_MANAGE_CASELOAD, "advice to GP (record)")
def advice_new(request, person):
    gp_request = queries.waiting_request_for(person=person, pk=request.GET.get("request"))
    form = AdviceForm(request.POST or None, request=gp_request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.advice_record(
                by=request.user,
                person=person,
                request=gp_request,
                asked_by_name=data.get("asked_by_name", ""),
                question=data.get("question", ""),
                advice=data["advice"],
                follow_up=data["follow_up"],
                follow_up_by=data["follow_up_by"],
                given_on=data["given_on"],
            ),
        )
        if done:
            messages.success(request, "Advice recorded")
            return redirect("primarycare:person", person.pk)
    return render(
        request,
        "primarycare/advice_new.jinja",
        {"person": _presenter(person), "form": form, "gp_request": gp_request},
    )


@person_action(Perm.PC_MANAGE_CASELOAD, "add to MHP caseload")
def add(request, person):
    gp_request = queries.waiting_request_for(person=person, pk=request.GET.get("request"))
    current = queries.open_episode_for(person=person)
    pcn = person.practice.pcn if person.practice_id and person.practice.pcn_id else None
    mhps = queries.mhps_in([pcn]) if pcn else []
    if request.user in mhps:  # your own caseload first
        mhps = [request.user] + [u for u in mhps if u != request.user]
    form = EpisodeOpenForm(request.POST or None, mhps=mhps, request=gp_request, initial={"mhp": str(request.user.pk)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.episode_open(
                by=request.user,
                person=person,
                mhp=data["mhp"],
                reason=data["reason"],
                opened_on=data["opened_on"],
                request=gp_request,
            ),
        )
        if done:
            messages.success(request, f"Added to {done.mhp.get_full_name()}'s caseload")
            return redirect("primarycare:person", person.pk)
    return render(
        request,
        "primarycare/add.jinja",
        {"person": _presenter(person), "form": form, "gp_request": gp_request, "current": current, "pcn": pcn},
    )


@person_action(Perm.PC_MANAGE_CASELOAD, "MHP assessment (record)")
def assess(request, person):
    episode = queries.open_episode_for(person=person)
    form = AssessmentForm(request.POST or None)
    if episode and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.assessment_record(
                by=request.user,
                episode=episode,
                assessed_on=data["assessed_on"],
                needs=form.needs(),
                risk_summary=data["risk_summary"],
                what_matters=data["what_matters"],
                baseline=data["baseline"],
                baseline_note=data["baseline_note"],
            ),
        )
        if done:
            messages.success(request, "Assessment recorded")
            return redirect("primarycare:person", person.pk)
    return render(
        request,
        "primarycare/assess.jinja",
        {
            "person": _presenter(person),
            "form": form,
            "episode": episode,
            "outcomes_url": presenters.outcome_measures_url(person),
        },
    )


@person_action(Perm.PC_DELIVER_SESSION, "MHP intervention session (record)")
def session_new(request, person):
    episode = queries.open_episode_for(person=person)
    count = episode.sessions.count() if episode else 0
    limit = rules.session_limit()
    supervisors = queries.mhps_in([episode.pcn]) if episode and services.is_trainee(request.user) else None
    form = SessionForm(request.POST or None, supervisors=supervisors, over_limit=count >= limit)
    if episode and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.session_record(
                by=request.user,
                episode=episode,
                session_type=data["session_type"],
                held_on=data["held_on"],
                what_was_done=data["what_was_done"],
                outcome=data["outcome"],
                supervisor=data.get("supervisor"),
                over_limit_reason=data.get("over_limit_reason", ""),
            ),
        )
        if done:
            status = presenters.session_limit_status(done.number)
            messages.success(request, f"Session {done.number} recorded")
            if status["reached"]:
                messages.warning(request, status["text"])
            return redirect("primarycare:person", person.pk)
    return render(
        request,
        "primarycare/session_new.jinja",
        {
            "person": _presenter(person),
            "form": form,
            "episode": episode,
            "limit_status": presenters.session_limit_status(count),
            "next_number": count + 1,
            "limit": limit,
        },
    )


@person_action(Perm.PC_SUPERVISE, "MHP session review")
def review(request, person, session_id):
    session = queries.session_for(person=person, pk=session_id)
    form = ReviewForm(request.POST or None)
    is_supervisor = session.supervisor_id == request.user.pk
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.session_review(by=request.user, session=session, comment=form.cleaned_data["comment"]),
        )
        if done:
            messages.success(request, f"Session {done.number} marked as reviewed")
            return redirect("primarycare:supervision")
    return render(
        request,
        "primarycare/review.jinja",
        {"person": _presenter(person), "form": form, "session": session, "is_supervisor": is_supervisor},
    )


@person_action(Perm.PC_MANAGE_CASELOAD, "MHP onward referral (record)")
def refer(request, person):
    episode = queries.open_episode_for(person=person)
    form = OnwardReferralForm(request.POST or None)
    if episode and request.method == "POST" and form.is_valid():
        done = _attempt(
            form, lambda: services.onward_referral_record(by=request.user, episode=episode, **form.cleaned_data)
        )
        if done:
            next_step = presenters.ReferralPresenter(done, person).continue_url
            messages.success(request, f"Referral to {presenters.ReferralPresenter(done, person).to} recorded")
            if next_step:
                return redirect(next_step)
            return redirect("primarycare:person", person.pk)
    return render(request, "primarycare/refer.jinja", {"person": _presenter(person), "form": form, "episode": episode})


@person_action(Perm.PC_MANAGE_CASELOAD, "MHP discharge")
def discharge(request, person):
    episode = queries.open_episode_for(person=person)
    form = DischargeForm(request.POST or None, initial={"version": episode.version if episode else 0})
    if episode and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.episode_discharge(
                by=request.user,
                episode=episode,
                expected_version=data["version"],
                discharged_on=data["discharged_on"],
                reason=data["reason"],
                summary=data["summary"],
                gp_follow_up=data["gp_follow_up"],
            ),
        )
        if done:
            messages.success(request, "Discharged: the summary for the GP is ready")
            return redirect("primarycare:discharge_summary", person.pk, done.pk)
    return render(
        request, "primarycare/discharge.jinja", {"person": _presenter(person), "form": form, "episode": episode}
    )


@person_page(Perm.PC_VIEW, "MHP discharge summary for the GP")
def discharge_summary(request, person, episode_id):
    episode = queries.episode_for(person=person, pk=episode_id)
    return render(
        request,
        "primarycare/discharge_summary.jinja",
        {
            "person": _presenter(person),
            "episode": episode,
            "assessment": episode.assessments.all()[0] if episode.assessments.all() else None,
            "needs_rows": presenters.needs_rows,
            "referrals": [presenters.ReferralPresenter(r, person) for r in episode.onward_referrals.all()],
        },
    )
