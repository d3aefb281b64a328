from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import Perm
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_list, audit_record
from joinedup.core.decorators import requires
from joinedup.core.paging import row_id, whole_number
from joinedup.directory.queries import organisations_for_choice
from joinedup.healthchecks.queries import health_plan_summary_for
from joinedup.people.decorators import person_action, person_page
from joinedup.people.presenters import PersonPresenter

from . import carried, presenters, queries, services
from .forms import (
    ActionDoneForm,
    ActionForm,
    AgreeForm,
    CareTeamMemberForm,
    CompareForm,
    DialogForm,
    EndMembershipForm,
    GoalForm,
    GoalScoresForm,
    KeyWorkerForm,
    LevelForm,
    PlanSectionsForm,
)
from .models import PlanSection
from .outcomes import dialog_items


@person_page(Perm.EDIT_CARE_TEAM, "care team (manage)")
def team(request, person):
    form = CareTeamMemberForm(request.POST or None, organisations=organisations_for_choice())
    if request.method == "POST" and form.is_valid():
        try:
            services.care_team_add(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e.messages)
        else:
            messages.success(request, f"{form.cleaned_data['name']} added to the care team")
            return redirect("care:team", person.pk)
    return render(
        request,
        "care/team.jinja",
        {
            "person": PersonPresenter(person, key_worker=queries.key_worker_for(person=person)),
            "members": queries.care_team_for(person=person),
            "history": queries.care_team_history_for(person=person),
            "form": form,
        },
    )


@person_page(Perm.EDIT_CARE_TEAM, "care team (end membership)")
def end_member(request, person, member_id):
    member = queries.care_team_member_for(person=person, pk=member_id)
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_team_end(by=request.user, member=member, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            form.add_error(None, e.messages)
        else:
            messages.success(request, f"{member.name} has left the care team")
            return redirect("care:team", person.pk)
    return render(
        request,
        "care/end_member.jinja",
        {
            "person": PersonPresenter(person, key_worker=queries.key_worker_for(person=person)),
            "member": member,
            "form": form,
        },
    )


# --- Key workers, plans, outcome measures, stepped care ------------------------------------------------------


def _person(person):
    return PersonPresenter(person, key_worker=queries.key_worker_for(person=person))


def _name(person):
    return person.preferred_name or person.given_name


ALL_SECTIONS = frozenset(PlanSection.values)


def _for_viewer(request, version, person, shown, may_mark=None):
    own = frozenset(queries.user_organisation_ids(request.user))
    return presenters.VersionPresenter(
        version, shown=shown, person_name=_name(person), own_organisations=own, may_mark=may_mark
    )


def _full(version, person):
    return presenters.VersionPresenter(version, shown=frozenset(PlanSection.values), person_name=_name(person))


def _shown(request, person):
    return queries.visible_sections(user=request.user, person=person)


@requires(Perm.VIEW_CASELOAD)
def caseload(request):
    rows = queries.caseload_for(user=request.user)
    today = timezone.localdate()
    people = [
        {
            "person": PersonPresenter(p),
            "status": presenters.plan_status(p),
            "review_date": p.review_date,
            "overdue": bool(p.review_date and p.review_date < today),
            "level": presenters.level_label(p.level),
        }
        for p in rows
    ]
    audit_list(
        by=request.user,
        what="key worker caseload",
        person_ids=[p.pk for p in rows],
        reason="Shown on their key worker's caseload",
        request=request,
    )
    return render(request, "care/caseload.jinja", {"people": people})


@person_page(Perm.VIEW_RECORD, "care plan")
def plan(request, person):
    shown = _shown(request, person)
    current = queries.plan_current_for(person=person)
    draft = queries.plan_draft_for(person=person)
    versions = queries.plan_versions_for(person=person)
    level = queries.level_of_care_for(person=person)
    return render(
        request,
        "care/plan.jinja",
        {
            "person": _person(person),
            "plan": _for_viewer(request, current, person, shown, services.may_mark_done(request.user, person))
            if current
            else None,
            "draft": draft,
            "versions": versions,
            "compare_form": CompareForm(
                initial={"a": versions[1].number if len(versions) > 1 else None, "b": versions[0].number}
                if versions
                else None,
                numbers=[v.number for v in reversed(versions)],
            ),
            "level": presenters.level_label(level.level if level else None),
            "can_edit": may(request.user, Perm.EDIT_CARE_PLAN, person),
            "can_edit_team": may(request.user, Perm.EDIT_CARE_TEAM, person),
            "can_change_level": may(request.user, Perm.CHANGE_LEVEL_OF_CARE, person),
            "notifications": queries.notifications_for(person=person) if shown == ALL_SECTIONS else [],
            "is_partner": shown != ALL_SECTIONS,
            # The personalised health plan from the SMI health check service is part of this plan. It holds
            # health details (results, follow-ups), so partners outside the NHS do not see it here.
            "health_plan": health_plan_summary_for(person=person) if shown == ALL_SECTIONS else None,
        },
    )


@person_action(Perm.VIEW_RECORD, "care plan action (mark as done)")
def action_done(request, person, plan_action_id):
    """Mark an action in the current plan as done. Anyone who may read the record reaches the page; the service
    decides who may mark it (staff who may edit the plan, or the care team members from the owning organisation)."""
    action = queries.plan_action_for(person=person, pk=plan_action_id)
    may_mark = services.may_mark_done(request.user, person)(action)
    form = ActionDoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_action_mark_done(by=request.user, action=action, note=form.cleaned_data["note"])
        except services.NotAllowed:
            raise PermissionDenied from None
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Action marked as done")
            return redirect("care:plan", person.pk)
    shown = presenters.action_for_viewer(  # None when this viewer may not see the action
        action,
        shown=_shown(request, person),
        own_organisations=frozenset(queries.user_organisation_ids(request.user)),
        may_mark=may_mark,
        person_name=_name(person),
    )
    return render(
        request,
        "care/action_done.jinja",
        {
            "person": _person(person),
            "action": shown,
            "completion": queries.plan_action_completion_for(action=action) if shown and action.done_at else None,
            "may_mark": may_mark,
            "form": form,
        },
    )


@person_page(Perm.VIEW_RECORD, "care plan version")
def version(request, person, version_number):
    shown = _shown(request, person)
    v = queries.plan_version_for(person=person, number=version_number)
    return render(
        request,
        "care/version.jinja",
        {
            "person": _person(person),
            "plan": _for_viewer(request, v, person, shown),
            "can_edit": may(request.user, Perm.EDIT_CARE_PLAN, person),
        },
    )


@person_page(Perm.VIEW_RECORD, "care plan comparison")
def compare(request, person):
    versions = queries.plan_versions_for(person=person)
    numbers = [v.number for v in reversed(versions)]
    form = CompareForm(request.GET or None, numbers=numbers)
    rows = None
    earlier = later = None
    if form.is_bound and form.is_valid():
        a, b = sorted((form.cleaned_data["a"], form.cleaned_data["b"]))
        if a == b:
            form.add_error("b", "Select two different versions to compare")
        else:
            earlier = queries.plan_version_for(person=person, number=a)
            later = queries.plan_version_for(person=person, number=b)
            rows = presenters.compare_versions(earlier, later, shown=_shown(request, person), person_name=_name(person))
    elif not form.is_bound and len(numbers) >= 2:
        form = CompareForm(initial={"a": numbers[-2], "b": numbers[-1]}, numbers=numbers)
    return render(
        request,
        "care/compare.jinja",
        {"person": _person(person), "form": form, "rows": rows, "earlier": earlier, "later": later},
    )


def _print_context(request, person):
    number = request.GET.get("version", "")
    if (wanted := row_id(number)) is not None:
        v = queries.plan_version_for(person=person, number=wanted)
    else:
        v = queries.plan_current_for(person=person) or queries.plan_draft_for(person=person)
        if v is not None:
            v = queries.plan_version_for(person=person, number=v.number)
    large = any(n.need == "large_print" for n in person.communication_needs.all())
    return {
        "person": _person(person),
        "plan": presenters.VersionPresenter(v, shown=_shown(request, person), person_name=_name(person)) if v else None,
        "large_print": large,
        "key_worker": queries.key_worker_for(person=person),
        "printed_on": timezone.localdate(),
    }


@person_page(Perm.VIEW_RECORD, "care plan (printable copy)")
def plan_print(request, person):
    context = _print_context(request, person)
    context["pdf_url"] = reverse("care:plan_pdf", args=[person.pk]) + (
        f"?version={context['plan'].number}" if context["plan"] else ""
    )
    return render(request, "care/print.jinja", context)


@person_page(Perm.VIEW_RECORD, "care plan (PDF)")
def plan_pdf(request, person):
    from weasyprint import CSS, HTML

    context = _print_context(request, person)
    if context["plan"] is None:
        raise Http404("There is no plan to print yet")
    context["for_pdf"] = True
    html = render_to_string("care/print.jinja", context, request=request)
    css = [CSS(filename=finders.find("care/print.css"))]
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=css)
    audit_record(
        by=request.user,
        action=AuditAction.EXPORT,
        what=f"care plan version {context['plan'].number} (PDF)",
        person=person,
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="care-plan-{context["plan"].number}.pdf"'
    return response


@person_page(Perm.EDIT_CARE_PLAN, "care plan (start a draft)")
def draft_start(request, person):
    draft = queries.plan_draft_for(person=person)
    current = queries.plan_current_for(person=person)
    error = None
    if request.method == "POST" and draft is None:
        try:
            services.plan_draft_start(by=request.user, person=person)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, "Draft started")
            return redirect("care:draft", person.pk)
    return render(
        request,
        "care/draft_start.jinja",
        {"person": _person(person), "draft": draft, "current": current, "error": error},
    )


@person_page(Perm.EDIT_CARE_PLAN, "care plan draft (share with the person)")
def draft_share(request, person):
    """Share the draft with the person in their own Joined Up, or stop sharing it. GET shows where it stands."""
    draft = queries.plan_draft_for(person=person)
    error = None
    if request.method == "POST" and draft is not None:
        choice = request.POST.get("share")
        if choice not in ("yes", "no"):
            return HttpResponse("Choose to share the draft or to stop sharing it", status=400)
        try:
            services.plan_draft_share(by=request.user, draft=draft, shared=choice == "yes")
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(
                request,
                "The draft is shared with the person" if choice == "yes" else "The draft is no longer shared",
            )
            return redirect("care:plan", person.pk)
    return render(request, "care/draft_share.jinja", {"person": _person(person), "draft": draft, "error": error})


def _draft_or_none(person):
    return queries.plan_draft_for(person=person)


@person_page(Perm.EDIT_CARE_PLAN, "care plan draft (edit)")
def draft(request, person):
    current = _draft_or_none(person)
    if current is None:
        return render(request, "care/no_draft.jinja", {"person": _person(person)})
    form = PlanSectionsForm(request.POST or None, initial=PlanSectionsForm.initial_for(current))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_draft_save(
                by=request.user, draft=current, expected_revision=form.cleaned_data["revision"], **form.content()
            )
        except services.PlanConflict as e:
            conflict = e.changes
            # Keep what they typed; the next save is checked against what is saved now.
            data = request.POST.copy()
            data["revision"] = str(e.current.revision)
            form = PlanSectionsForm(data, initial=PlanSectionsForm.initial_for(e.current))
            form.is_valid()
            form.add_error(
                None,
                "Someone else saved this draft after you opened it. Your changes have not been saved yet: "
                "check the differences below, then save again.",
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Draft saved")
            return redirect("care:draft", person.pk)
    return render(
        request,
        "care/draft.jinja",
        {
            "person": _person(person),
            "draft": presenters.VersionPresenter(
                current, shown=frozenset(PlanSection.values), person_name=_name(person)
            ),
            "form": form,
            "conflict": conflict,
            "carried": carried.discussion_carried_into(current),
            "carried_heading": "From the EMDT discussion: already in this draft",
        },
    )


def _remove_from_draft(request, person, kind: str, remove):
    """A goal's or an action's Remove button: the id comes back from the page, so anything else gets a message."""
    pk = row_id(request.POST["remove"])
    try:
        if pk is None:
            raise ValidationError(f"That {kind} is not in this draft")
        remove(pk)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, f"{kind.capitalize()} removed")
    return redirect(f"care:draft_{kind}s", person.pk)


@person_page(Perm.EDIT_CARE_PLAN, "care plan draft (goals)")
def draft_goals(request, person):
    current = _draft_or_none(person)
    if current is None:
        return render(request, "care/no_draft.jinja", {"person": _person(person)})
    if request.method == "POST" and "remove" in request.POST:
        return _remove_from_draft(
            request, person, "goal", lambda pk: services.plan_goal_remove(by=request.user, draft=current, goal_id=pk)
        )
    form = GoalForm(request.POST or None)
    if request.method == "POST":
        try:
            if form.is_valid():
                services.plan_goal_add(by=request.user, draft=current, words=form.cleaned_data["words"])
                messages.success(request, "Goal added")
                return redirect("care:draft_goals", person.pk)
        except ValidationError as e:
            form.add_service_error(e)
    return render(
        request,
        "care/draft_goals.jinja",
        {"person": _person(person), "draft": current, "goals": list(current.goals.all()), "form": form},
    )


@person_page(Perm.EDIT_CARE_PLAN, "care plan draft (actions)")
def draft_actions(request, person):
    current = _draft_or_none(person)
    if current is None:
        return render(request, "care/no_draft.jinja", {"person": _person(person)})
    organisations = services.care_team_organisations(person)
    initial = {}
    suggest = request.GET.get("suggest", "")
    if item_number := whole_number(suggest, maximum=11):
        item = dialog_items()[item_number - 1]
        initial["description"] = f"Help with {item.domain.lower()} (the person asked for more help in DIALOG)"
    posting = request.method == "POST" and "remove" not in request.POST
    form = ActionForm(
        request.POST if posting else None, initial=initial, organisations=organisations, person_name=_name(person)
    )
    if request.method == "POST" and "remove" in request.POST:
        return _remove_from_draft(
            request,
            person,
            "action",
            lambda pk: services.plan_action_remove(by=request.user, draft=current, action_id=pk),
        )
    if request.method == "POST":
        try:
            if form.is_valid():
                services.plan_action_add(by=request.user, draft=current, **form.cleaned_data)
                messages.success(request, "Action added")
                return redirect("care:draft_actions", person.pk)
        except ValidationError as e:
            form.add_service_error(e)
    return render(
        request,
        "care/draft_actions.jinja",
        {
            "person": _person(person),
            "draft": current,
            "actions": presenters.VersionPresenter(
                queries.plan_version_for(person=person, number=current.number),  # with whether each is done
                shown=frozenset(PlanSection.values),
                person_name=_name(person),
            ).actions,
            "action_ids": [a.pk for a in current.actions.all()],
            "form": form,
        },
    )


@person_page(Perm.EDIT_CARE_PLAN, "care plan draft (agree)")
def draft_agree(request, person):
    current = _draft_or_none(person)
    if current is None:
        return render(request, "care/no_draft.jinja", {"person": _person(person)})
    form = AgreeForm(request.POST or None, initial={"revision": current.revision})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_agree(
                by=request.user,
                draft=current,
                agreed_on=data["agreed_on"],
                participation=data["participation"],
                own_words=data["own_words"] == "yes",
                person_comments=data["person_comments"],
                expected_revision=data["revision"],
            )
        except services.PlanConflict:
            form.add_error(
                None,
                "Someone else changed the draft after you opened this page. Check the draft, then record the "
                "agreement again.",
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"Version {current.number} of the plan agreed")
            return redirect("care:plan", person.pk)
    return render(
        request,
        "care/draft_agree.jinja",
        {
            "person": _person(person),
            "draft": presenters.VersionPresenter(
                queries.plan_version_for(person=person, number=current.number),  # with whether each action is done
                shown=frozenset(PlanSection.values),
                person_name=_name(person),
            ),
            "form": form,
        },
    )


@person_page(Perm.VIEW_RECORD, "outcome measures")
def outcomes(request, person):
    shown = _shown(request, person)
    allowed = PlanSection.OUTCOMES in shown
    return render(
        request,
        "care/outcomes.jinja",
        {
            "person": _person(person),
            "allowed": allowed,
            "dialog": presenters.dialog_summary(queries.dialog_history_for(person=person)) if allowed else None,
            "gbo": presenters.gbo_summary(queries.goal_ratings_for(person=person)) if allowed else None,
            "reqol": queries.reqol_scores_for(person=person) if allowed else [],
            "items": dialog_items(),
            "can_edit": may(request.user, Perm.EDIT_CARE_PLAN, person),
            "has_draft": queries.plan_draft_for(person=person) is not None,
        },
    )


@person_page(Perm.EDIT_CARE_PLAN, "DIALOG (record)")
def dialog_new(request, person):
    form = DialogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dialog_record(
                by=request.user, person=person, taken_on=form.cleaned_data["taken_on"], ratings=form.ratings()
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "DIALOG scores recorded")
            return redirect("care:outcomes", person.pk)
    return render(request, "care/dialog_new.jinja", {"person": _person(person), "form": form})


@person_page(Perm.EDIT_CARE_PLAN, "goal based outcomes (record)")
def gbo_new(request, person):
    goals = services.current_goals(person)
    form = GoalScoresForm(request.POST or None, goals=goals)
    if request.method == "POST" and form.is_valid():
        try:
            services.gbo_record(
                by=request.user, person=person, rated_on=form.cleaned_data["rated_on"], scores=form.scores()
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Goal scores recorded")
            return redirect("care:outcomes", person.pk)
    return render(request, "care/gbo_new.jinja", {"person": _person(person), "form": form, "goals": goals})


@person_page(Perm.EDIT_CARE_TEAM, "key worker (change)")
def key_worker(request, person):
    team = [m.user for m in queries.care_team_for(person=person) if m.user_id and not m.is_key_worker]
    mine = [u for u in queries.colleagues_for(user=request.user) if u not in team]
    candidates = team + mine
    form = KeyWorkerForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.key_worker_assign(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{form.cleaned_data['user'].get_full_name()} is now the key worker")
            return redirect("care:plan", person.pk)
    return render(
        request,
        "care/key_worker.jinja",
        {"person": _person(person), "form": form, "history": queries.key_worker_history_for(person=person)},
    )


@person_page(Perm.CHANGE_LEVEL_OF_CARE, "level of care")
def level(request, person):
    form = LevelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.level_of_care_change(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Level of care changed")
            return redirect("care:level", person.pk)
    history = queries.level_of_care_history_for(person=person)
    return render(
        request,
        "care/level.jinja",
        {
            "person": _person(person),
            "form": form,
            "history": [
                {
                    "at": h.at,
                    "level": presenters.level_label(h.level),
                    "previous": presenters.level_label(h.previous_level) if h.previous_level else "",
                    "reason": h.reason,
                    "by": h.decided_by.get_full_name() or h.decided_by.username,
                }
                for h in history
            ],
            "current": history[0] if history else None,
        },
    )
