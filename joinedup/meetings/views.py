from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from joinedup.accounts.roles import Perm
from joinedup.care.queries import key_worker_for
from joinedup.core.access import forget, may
from joinedup.core.audit import AuditAction, audit_list, audit_record
from joinedup.core.decorators import requires
from joinedup.core.paging import row_id
from joinedup.directory.queries import organisations_for_choice
from joinedup.people.decorators import person_page, read_reason
from joinedup.people.presenters import PersonPresenter
from joinedup.people.services import NotAllowed
from joinedup.referrals.queries import emdt_services

from . import queries, services
from .forms import ActionDoneForm, AttendanceForm, CancelForm, MeetingForm, MoveForm, OutcomeForm, WordsForm
from .models import AttendanceStatus, AttendeeKind, ItemState
from .presenters import due_tag, meeting_when, meeting_where, places, with_labels


def _presenter(person):
    return PersonPresenter(person, key_worker=key_worker_for(person=person))


@requires(Perm.RUN_EMDT_MEETINGS)
def meeting_list(request):
    return render(
        request,
        "meetings/list.jinja",
        {
            "upcoming": with_labels(queries.meetings_for(by=request.user)),
            "past": with_labels(queries.meetings_for(by=request.user, upcoming=False, limit=10)),
            "teams": queries.coordinated_teams(request.user),
        },
    )


@requires(Perm.RUN_EMDT_MEETINGS)
def meeting_new(request):
    teams = queries.coordinated_teams(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if not teams:
                raise ValidationError("You are not a member of an EMDT")
            meeting = services.meeting_create(by=request.user, team=teams[0], **form.service_kwargs())
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"Meeting added: {meeting_when(meeting)}")
            back = row_id(request.GET.get("triage"))
            if back is not None:  # added from a triage page whose meetings were all full: back to the request
                return redirect("referrals:triage", back)
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/new.jinja", {"form": form, "team": teams[0] if teams else None})


@requires(Perm.RUN_EMDT_MEETINGS)
def meeting_detail(request, meeting_id):
    meeting = queries.meeting_for(by=request.user, pk=meeting_id)
    if request.method == "POST" and request.POST.get("form") == "review":
        due = {str(d.pk): d for d in queries.reviews_due(by=request.user, meeting=meeting)}
        discussion = due.get(request.POST.get("discussion", ""))
        if discussion is None:
            messages.error(request, "That review is no longer due")
        else:
            try:
                services.agenda_add_review(by=request.user, meeting=meeting, discussion=discussion)
            except ValidationError as e:
                messages.error(request, " ".join(e.messages))
            else:
                messages.success(request, f"{discussion.person.full_name}'s review is on the agenda")
        return redirect("meetings:detail", meeting.pk)
    agenda = queries.agenda_for(by=request.user, meeting=meeting)
    attendance = queries.attendance_for(meeting=meeting)
    reviews_due = queries.reviews_due(by=request.user, meeting=meeting)
    audit_list(
        by=request.user,
        what="EMDT meeting agenda",
        person_ids=[i.person_id for i in agenda] + [d.person_id for d in reviews_due],
        reason=f"Shown on the agenda of {meeting.team.name}'s meeting {meeting.pk}, or due a review there",
        request=request,
    )
    for item in agenda:
        if item.state == ItemState.MOVED and item.moved_to_id:
            item.moved_when = meeting_when(item.moved_to.meeting)
    return render(
        request,
        "meetings/detail.jinja",
        {
            "meeting": meeting,
            "when": meeting_when(meeting),
            "where": meeting_where(meeting),
            "places": places(meeting),
            "agenda": agenda,
            "attendance": attendance,
            "suggestions": queries.suggested_invitations(meeting=meeting, agenda=agenda, attendance=attendance),
            "reviews_due": reviews_due,
            "core_kinds": AttendeeKind,
            "can_change": not _cannot_change(meeting),
        },
    )


def _cannot_change(meeting) -> str:
    """Why this meeting's details can no longer be changed or it cancelled, or "" when they can."""
    if meeting.cancelled_at is not None:
        return "This meeting was cancelled, so it cannot be changed."
    if queries.has_discussion(meeting=meeting):
        return "A discussion has been recorded at this meeting, so it can no longer be changed or cancelled."
    return ""


@requires(Perm.RUN_EMDT_MEETINGS)
def meeting_change(request, meeting_id):
    meeting = queries.meeting_for(by=request.user, pk=meeting_id)
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_change(by=request.user, meeting=meeting, **form.service_kwargs())
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Meeting details changed")
            return redirect("meetings:detail", meeting.pk)
    return render(
        request,
        "meetings/change.jinja",
        {"meeting": meeting, "when": meeting_when(meeting), "form": form, "refused": _cannot_change(meeting)},
    )


@requires(Perm.RUN_EMDT_MEETINGS)
def meeting_cancel(request, meeting_id):
    meeting = queries.meeting_for(by=request.user, pk=meeting_id)
    need = queries.scheduled_count(meeting=meeting)
    later = with_labels(queries.meetings_to_move_to(meeting=meeting, need=need)) if need else []
    form = CancelForm(request.POST or None, meetings=later)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                by=request.user, meeting=meeting, reason=form.cleaned_data["reason"], move_to=form.chosen_meeting()
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            moved = ""
            if need:
                people = "1 person" if need == 1 else f"{need} people"
                moved = f". {people} moved to the meeting on {meeting_when(form.chosen_meeting())}"
            messages.success(request, f"Meeting cancelled{moved}")
            return redirect("meetings:detail", meeting.pk)
    return render(
        request,
        "meetings/cancel.jinja",
        {
            "meeting": meeting,
            "when": meeting_when(meeting),
            "form": form,
            "need": need,
            "later": later,
            "refused": _cannot_change(meeting),
        },
    )


@requires(Perm.RUN_EMDT_MEETINGS)
def attendance_add(request, meeting_id):
    meeting = queries.meeting_for(by=request.user, pk=meeting_id)
    service = request.GET.get("service", "")
    initial = {"kind": AttendeeKind.INVITED, "service": service, "status": AttendanceStatus.INVITED} if service else {}
    form = AttendanceForm(
        request.POST or None, initial=initial, organisations=organisations_for_choice(), services=emdt_services()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(by=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{form.cleaned_data['name']} added to the meeting's attendance")
            return redirect("meetings:detail", meeting.pk)
    return render(
        request, "meetings/attendance.jinja", {"meeting": meeting, "when": meeting_when(meeting), "form": form}
    )


@requires(Perm.RUN_EMDT_MEETINGS)
def item_move(request, item_id):
    item = queries.item_for_coordinator(by=request.user, pk=item_id)
    audit_record(
        by=request.user,
        action=AuditAction.VIEW,
        what="EMDT agenda item (move)",
        person=item.person,
        reason=read_reason(request.user, item.person, "EMDT agenda item (move)"),
        request=request,
    )
    later = with_labels(queries.meetings_with_room(team=item.meeting.team, after=item.meeting.starts_at))
    form = MoveForm(request.POST or None, meetings=later)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.agenda_move(
                by=request.user, item=item, meeting=form.chosen_meeting(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{item.person.full_name} moved to {meeting_when(new.meeting)}")
            return redirect("meetings:detail", item.meeting_id)
    return render(
        request,
        "meetings/move.jinja",
        {"item": item, "person": _presenter(item.person), "when": meeting_when(item.meeting), "form": form},
    )


@requires(Perm.RUN_EMDT_MEETINGS)
def item_outcome(request, item_id):
    item = queries.item_for_coordinator(by=request.user, pk=item_id)
    person = item.person
    audit_record(
        by=request.user,
        action=AuditAction.VIEW,
        what="EMDT case discussion (record)",
        person=person,
        reason=read_reason(request.user, person, "EMDT case discussion (record)"),
        request=request,
    )
    owners = queries.possible_owners(person=person, team=item.meeting.team)
    allowed = queries.ActionOwners(
        person=person,
        meeting=item.meeting,
        chair=request.user,
        referrer=item.request.referrer if item.request_id else None,
    )
    form = OutcomeForm(
        request.POST or None,
        owners=owners,
        action_owners=allowed.choices(owners),
        organisations=queries.care_team_organisations(person=person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            discussion = services.discussion_record(by=request.user, item=item, **form.service_kwargs())
        except NotAllowed as e:
            form.add_error(None, str(e))
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"Outcome recorded for {person.full_name}")
            return redirect("meetings:discussion", person.pk, discussion.pk)
    meeting_day = timezone.localtime(item.meeting.starts_at).date()
    return render(
        request,
        "meetings/outcome.jinja",
        {
            "item": item,
            "person": _presenter(person),
            "when": meeting_when(item.meeting),
            "form": form,
            "too_early": meeting_day > timezone.localdate(),
            "key_worker": key_worker_for(person=person),
        },
    )


@person_page(Perm.EDIT_RECORD, "EMDT: the person's words")
def words(request, person, item_id):
    item = queries.item_for(person=person, pk=item_id)
    form = WordsForm(request.POST or None, initial={"words": item.person_words})
    if request.method == "POST" and form.is_valid():
        try:
            services.person_words_record(by=request.user, item=item, words=form.cleaned_data["words"])
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Their words are saved and will be read at the start of the discussion")
            if request.GET.get("from") == "meeting" and queries.coordinated_teams(request.user):
                return redirect("meetings:detail", item.meeting_id)  # recorded from the agenda: back to it
            return redirect("referrals:person", person.pk)
    return render(
        request,
        "meetings/words.jinja",
        {"item": item, "person": _presenter(person), "when": meeting_when(item.meeting), "form": form},
    )


def _discussion_context(person, discussion_id):
    discussion = queries.discussion_for(person=person, pk=discussion_id)
    actions = queries.actions_for_discussion(discussion=discussion)
    for a in actions:
        a.tag = due_tag(a)
    return {
        "person": _presenter(person),
        "d": discussion,
        "when": meeting_when(discussion.item.meeting),
        "review_when": meeting_when(discussion.review_item.meeting) if discussion.review_item else "",
        "actions": actions,
    }


@person_page(Perm.VIEW_RECORD, "EMDT case discussion")
def discussion(request, person, discussion_id):
    context = _discussion_context(person, discussion_id)
    context["can_read_gp_summary"] = may(request.user, Perm.VIEW_EMDT_PAPERS, person)
    return render(request, "meetings/discussion.jinja", context)


@person_page(Perm.VIEW_RECORD, "EMDT summary for the person")
def summary_for_person(request, person, discussion_id):
    return render(request, "meetings/summary_person.jinja", _discussion_context(person, discussion_id))


@person_page(Perm.VIEW_EMDT_PAPERS, "EMDT summary for the GP")
def summary_for_gp(request, person, discussion_id):
    return render(request, "meetings/summary_gp.jinja", _discussion_context(person, discussion_id))


@person_page(Perm.VIEW_RECORD, "EMDT action")
def action(request, person, action_id):
    act = queries.action_for(person=person, pk=action_id)
    form = ActionDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_complete(by=request.user, action=act, note=form.cleaned_data["note"])
        except NotAllowed as e:
            form.add_error(None, str(e))
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Action marked as done")
            # A partner who saw the person only through this action no longer may: back to their own tasks.
            forget(request.user)
            if may(request.user, Perm.VIEW_RECORD, person):
                return redirect("meetings:discussion", person.pk, act.discussion_id)
            return redirect("my_tasks")
    act.tag = due_tag(act)
    return render(
        request,
        "meetings/action.jinja",
        {
            "person": _presenter(person),
            "a": act,
            "form": form,
            "when": meeting_when(act.discussion.item.meeting),
            "can_complete": act.done_at is None,
        },
    )
