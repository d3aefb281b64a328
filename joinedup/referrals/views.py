from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from joinedup.accounts.roles import Perm
from joinedup.care.queries import key_worker_for
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_list, audit_record
from joinedup.core.decorators import requires
from joinedup.core.paging import page_number
from joinedup.meetings import queries as meeting_queries
from joinedup.meetings.presenters import with_labels
from joinedup.people.decorators import person_page, read_reason
from joinedup.people.presenters import PersonPresenter
from joinedup.people.services import NotAllowed

from . import queries, services
from .forms import AnswerForm, CloseForm, EmdtRequestForm, TriageForm
from .models import RequestState
from .presenters import RequestPresenter, TransitionPresenter


def _presenter(person):
    return PersonPresenter(person, key_worker=key_worker_for(person=person))


@person_page(Perm.VIEW_RECORD, "EMDT requests and discussions")
def person_emdt(request, person):
    from joinedup.meetings.presenters import meeting_when

    items = meeting_queries.items_for_person(person=person)
    for item in items:
        item.when = meeting_when(item.meeting)
    return render(
        request,
        "referrals/person.jinja",
        {
            "person": _presenter(person),
            "requests": [RequestPresenter(r) for r in queries.requests_for_person(person=person)],
            "items": items,
            "discussions": meeting_queries.discussions_for_person(person=person),
            "can_request": may(request.user, Perm.REQUEST_EMDT, person),
            "can_read_requests": may(request.user, Perm.VIEW_EMDT_PAPERS, person),
            "can_edit": may(request.user, Perm.EDIT_RECORD, person),
        },
    )


@person_page(Perm.VIEW_RECORD, "EMDT request (new)")
def new(request, person):
    """Everyone who can see the record reaches this page; only practitioners can send the form, and
    everyone else is told why and who can."""
    allowed = may(request.user, Perm.REQUEST_EMDT, person)
    teams = queries.emdt_teams()
    home = services.emdt_team_for(person)
    from joinedup.care.carried import emdt_request_initial, known_about

    initial, carried = emdt_request_initial(person)
    form = EmdtRequestForm(
        request.POST or None,
        services=queries.emdt_services(),
        teams=teams,
        initial={"team": str(home.pk) if home else "", **initial},
    )
    refusal = None if allowed else services.ONLY_PRACTITIONERS
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.emdt_request_submit(by=request.user, person=person, **form.service_kwargs())
        except NotAllowed as e:
            refusal = e.args[0] if e.args and " " in str(e.args[0]) else services.ONLY_PRACTITIONERS
        except services.DuplicateRequest as e:
            existing = e.existing
            form.add_error(None, e.messages)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"Request sent to {created.team.name}")
            return redirect("referrals:detail", person.pk, created.pk)
    return render(
        request,
        "referrals/new.jinja",
        {
            "person": _presenter(person),
            "form": form,
            "refusal": refusal,
            "existing": existing,
            "home": home,
            "carried": carried + known_about(person),
        },
    )


@person_page(Perm.VIEW_EMDT_PAPERS, "EMDT request")
def detail(request, person, request_id):
    emdt_request = queries.request_for(person=person, pk=request_id)
    return render(
        request,
        "referrals/detail.jinja",
        {
            "person": _presenter(person),
            "r": RequestPresenter(emdt_request),
            "history": [TransitionPresenter(t) for t in queries.transitions_for(request=emdt_request)],
            "items": [i for i in meeting_queries.items_for_person(person=person) if i.request_id == emdt_request.pk],
            "can_answer": emdt_request.state == RequestState.MORE_INFORMATION_REQUESTED
            and may(request.user, Perm.REQUEST_EMDT, person),
        },
    )


@person_page(Perm.REQUEST_EMDT, "EMDT request (answer)")
def answer(request, person, request_id):
    emdt_request = queries.request_for(person=person, pk=request_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.emdt_request_answer(by=request.user, request=emdt_request, answer=form.cleaned_data["answer"])
        except NotAllowed as e:
            form.add_error(None, str(e))
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Answer sent: the request is back with the EMDT for triage")
            return redirect("referrals:detail", person.pk, emdt_request.pk)
    return render(
        request,
        "referrals/answer.jinja",
        {"person": _presenter(person), "r": RequestPresenter(emdt_request), "form": form},
    )


@requires(Perm.TRIAGE_EMDT)
def queue(request):
    page = page_number(request)
    size = queries.QUEUE_PAGE
    # One row more than the page shows, to know whether there is a next page without counting the queue.
    waiting = queries.triage_queue(by=request.user, limit=size + 1, offset=(page - 1) * size)
    more = len(waiting) > size
    waiting = waiting[:size]
    asked = queries.triage_queue(by=request.user, state=RequestState.MORE_INFORMATION_REQUESTED)
    audit_list(
        by=request.user,
        what="EMDT triage queue",
        person_ids=[r.person_id for r in waiting] + [r.person_id for r in asked],
        reason=f"Shown on the EMDT triage queue (page {page}: waiting for triage, or asked for more information)",
        request=request,
    )
    return render(
        request,
        "referrals/queue.jinja",
        {
            "waiting": [RequestPresenter(r) for r in waiting],
            "page": page,
            "first": (page - 1) * size + 1,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if more else None,
            "asked": [RequestPresenter(r) for r in asked],
            "teams": queries.emdt_teams_of(request.user),
        },
    )


@requires(Perm.TRIAGE_EMDT)
def triage(request, request_id):
    emdt_request = queries.request_for_triage(by=request.user, pk=request_id)
    person = emdt_request.person
    audit_record(
        by=request.user,
        action=AuditAction.VIEW,
        what="EMDT request (triage)",
        person=person,
        reason=read_reason(request.user, person, "EMDT request (triage)"),
        request=request,
    )
    meetings = with_labels(meeting_queries.meetings_with_room(team=emdt_request.team))
    coming = meeting_queries.coming_meetings_count(team=emdt_request.team) if not meetings else 0
    form = TriageForm(request.POST if request.POST.get("form") == "triage" else None, meetings=meetings)
    close_form = CloseForm(request.POST if request.POST.get("form") == "close" else None)
    if request.method == "POST" and request.POST.get("form") == "triage" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["decision"] == "accept":
                meeting = form.chosen_meeting()
                if meeting is None:
                    raise ValidationError({"meeting": "Choose the meeting to discuss the person at"})
                services.emdt_request_accept(by=request.user, request=emdt_request, meeting=meeting)
                done = "Accepted: the person is on the meeting's agenda"
            elif d["decision"] == "ask":
                services.emdt_request_ask(by=request.user, request=emdt_request, question=d["question"])
                done = "Question sent to the person who made the request"
            else:
                services.emdt_request_decline(
                    by=request.user, request=emdt_request, reason=d["reason"], recommendation=d["recommendation"]
                )
                done = "Declined, with the recommendation recorded on the person's record"
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, done)
            return redirect("referrals:queue")
    if request.method == "POST" and request.POST.get("form") == "close" and close_form.is_valid():
        try:
            services.emdt_request_close(by=request.user, request=emdt_request, note=close_form.cleaned_data["note"])
        except ValidationError as e:
            close_form.add_service_error(e)
        else:
            messages.success(request, "Request closed")
            return redirect("referrals:queue")
    return render(
        request,
        "referrals/triage.jinja",
        {
            "person": _presenter(person),
            "r": RequestPresenter(emdt_request),
            "history": [TransitionPresenter(t) for t in queries.transitions_for(request=emdt_request)],
            "form": form,
            "close_form": close_form,
            "can_triage": emdt_request.state == RequestState.SUBMITTED,
            "can_close": emdt_request.state in (RequestState.ACCEPTED, RequestState.DISCUSSED),
            "all_full": not meetings,
            "coming": coming,
        },
    )
