"""Staff administration pages: thin, each calls one service and says what happened."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from joinedup.accounts.roles import Perm
from joinedup.core.audit import audit_list
from joinedup.core.decorators import requires

from . import forms, importing, presenters, queries, scope, services


def _member(request, staff_id):
    user = queries.staff_member_for(by=request.user, pk=staff_id)
    if user is None:
        raise Http404("No such member of staff in your organisation")
    return user


def _page(request, template, context, status=200):
    return render(request, f"staff/{template}", context, status=status)


@requires(Perm.MANAGE_USERS)
@never_cache
def staff_list(request):
    form = forms.SearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    leavers = request.GET.get("leavers") == "1"
    rows = [presenters.StaffRow(u) for u in queries.staff_for(by=request.user, search=search, include_leavers=leavers)]
    context = {
        "form": form,
        "rows": rows,
        "leavers": leavers,
        "icb_wide": scope.is_icb_wide(request.user),
        "organisations": list(scope.organisations(request.user).order_by("name")[:5]),
        "limit": queries.LIST_LIMIT,
    }
    return _page(request, "list.jinja", context)


@requires(Perm.MANAGE_USERS)
@never_cache
def staff_new(request):
    form = forms.StaffJoinForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.staff_join(by=request.user, request=request, **data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{user.get_full_name()} has been added. {presenters.first_sign_in(user)}")
            return redirect("staff:member", staff_id=user.pk)
    return _page(request, "form.jinja", {"form": form, "title": "Add a member of staff", "button_text": "Add them"})


def _versioned_action(request, staff_id, *, form_class, title, button, service, done, intro="", with_user=False):
    """One administrator's change to one account through `service` (the form's fields are its arguments), refused
    and said so if another administrator changed the account meanwhile. `done(result, user)` answers the message
    shown on the account's page, or a whole response."""
    user = _member(request, staff_id)
    kwargs = {"user": user, "admin": request.user} if with_user else {}
    form = form_class(request.POST or None, initial={"version": user.version}, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            result = service(by=request.user, user=user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            answer = done(result, user)
            if not isinstance(answer, str):
                return answer
            messages.success(request, answer)
            return redirect("staff:member", staff_id=user.pk)
    context = {"form": form, "title": title, "button_text": button, "intro": intro, "member": presenters.StaffRow(user)}
    return _page(request, "form.jinja", context)


@requires(Perm.MANAGE_USERS)
@never_cache
def staff_member(request, staff_id):
    user = _member(request, staff_id)
    ending = queries.latest_ending(user)
    caseload = queries.key_worker_caseload_of(leaver=user) if not user.is_active else []
    if caseload:
        audit_list(
            by=request.user,
            what="leaver's caseload for handing over",
            person_ids=[m.person_id for m in caseload],
            request=request,
        )
    context = {
        "member": presenters.StaffRow(user),
        "memberships": [presenters.MembershipRow(m, request.user) for m in queries.memberships_of(user)],
        "ending": ending,
        "caseload": caseload,
        "locked": services.is_locked_out(user),
        "is_self": user.pk == request.user.pk,
    }
    return _page(request, "member.jinja", context)


def _details_form(*args, user, admin, **kwargs):
    names = ("first_name", "last_name", "email", "job_title", "phone", "cis2_uid")
    kwargs["initial"] = {name: getattr(user, name) or "" for name in names} | kwargs.get("initial", {})
    return forms.DetailsForm(*args, **kwargs)


@requires(Perm.MANAGE_USERS)
@never_cache
def details(request, staff_id):
    return _versioned_action(
        request, staff_id, form_class=_details_form, title="Change their details", button="Save",
        service=services.staff_details_change, done=lambda _, user: "Their details have been changed",
        with_user=True,
    )  # fmt: skip


@requires(Perm.MANAGE_USERS)
@never_cache
def grant(request, staff_id):
    return _versioned_action(
        request, staff_id, form_class=forms.GrantForm, title="Give a role in a team", button="Give the role",
        service=services.membership_grant, with_user=True,
        done=lambda m, user: f"{user.get_full_name()} is now {m.get_role_display()} in {m.team.name}",
    )  # fmt: skip


@requires(Perm.MANAGE_USERS)
@never_cache
def move(request, staff_id):
    return _versioned_action(
        request, staff_id, form_class=forms.MoveForm, title="Move to another team", button="Move them",
        intro="Their role in the old team ends today and starts in the new team today.",
        service=services.staff_move, with_user=True,
        done=lambda m, user: f"{user.get_full_name()} has moved to {m.team.name}",
    )  # fmt: skip


@requires(Perm.MANAGE_USERS)
@never_cache
def end_role(request, staff_id):
    return _versioned_action(
        request, staff_id, form_class=forms.MembershipEndForm, title="End a role", button="End the role",
        service=services.membership_end, with_user=True,
        done=lambda m, user: f"Their role as {m.get_role_display()} in {m.team.name} has ended",
    )  # fmt: skip


@requires(Perm.MANAGE_USERS)
@never_cache
def end_date(request, staff_id):
    return _versioned_action(
        request, staff_id, form_class=forms.EndDateForm, title="Set the last day of a role", button="Save",
        intro="The daily access review ends the role once its last day has passed.",
        service=services.membership_dates_change, with_user=True, done=lambda m, user: "The last day has been set",
    )  # fmt: skip


@requires(Perm.MANAGE_USERS)
@never_cache
def end_account(request, staff_id):
    return _versioned_action(
        request, staff_id, form_class=forms.ReasonForm, title="End their account: they are leaving",
        button="End their account",
        intro="They are signed out at once and cannot sign in again. Every role ends today. Their people, open "
        "actions, claims and tasks are then listed here for handing over.",
        service=services.account_end,
        done=lambda _, user: f"{user.get_full_name()}'s account has ended and they have been signed out",
    )  # fmt: skip


@requires(Perm.MANAGE_USERS)
@never_cache
def reset_second_factor(request, staff_id):
    def issued(result, user):
        code, row = result
        return _page(request, "code_issued.jinja", {"member": presenters.StaffRow(user), "code": code, "issued": row})

    return _versioned_action(
        request, staff_id, form_class=forms.ReasonForm, title="Reset their second factor", button="Reset it",
        intro="Their authenticator app is removed and a one-time set-up code is shown, once, for you to give them "
        "in person or by phone after checking who they are.",
        service=services.second_factor_reset, done=issued,
    )  # fmt: skip


@requires(Perm.MANAGE_USERS)
@never_cache
def unlock(request, staff_id):
    return _versioned_action(
        request, staff_id, form_class=forms.ReasonForm, title="Unlock their account", button="Unlock it",
        service=services.account_unlock, done=lambda _, user: "Their account is unlocked: they can sign in again now",
    )  # fmt: skip


@requires(Perm.MANAGE_USERS)
@never_cache
def hand_over(request, staff_id):
    leaver = _member(request, staff_id)
    # While they are here their team hands their people over through key working; this page is for leavers.
    caseload = queries.key_worker_caseload_of(leaver=leaver) if not leaver.is_active else []
    audit_list(
        by=request.user, what="leaver's caseload for handing over", person_ids=[m.person_id for m in caseload],
        request=request,
    )  # fmt: skip
    choices = queries.key_worker_choices(by=request.user)
    form = forms.HandOverForm(request.POST or None, caseload=caseload, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.caseload_hand_over(
                by=request.user, leaver=leaver, person_ids=data["people"], to_user=data["to_user"],
                reason=data["reason"], handover_note=data["handover_note"], request=request,
            )  # fmt: skip
        except ValidationError as error:
            form.add_service_error(error)
        else:
            who = data["to_user"].get_full_name()
            messages.success(
                request, f"{count} {'person has' if count == 1 else 'people have'} a new key worker: {who}"
            )
            return redirect("staff:member", staff_id=leaver.pk)
    context = {"form": form, "member": presenters.StaffRow(leaver), "caseload": caseload}
    return _page(request, "hand_over.jinja", context)


@requires(Perm.MANAGE_USERS)
@never_cache
def without_key_worker(request):
    rows = queries.people_without_key_worker(by=request.user)
    audit_list(
        by=request.user, what="people whose key worker has left", person_ids=[m.person_id for m in rows],
        request=request,
    )  # fmt: skip
    return _page(request, "without_key_worker.jinja", {"rows": rows})


@requires(Perm.MANAGE_USERS)
@never_cache
def staff_import_page(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            form.add_error("file", "The file is larger than 1 MB: split it")
        else:
            try:
                result = importing.staff_import(
                    by=request.user, data=upload.read(), reason=form.cleaned_data["reason"], request=request
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                if not result.errors:
                    messages.success(request, f"{len(result.created)} members of staff have been added")
                    return redirect("staff:list")
    context = {"form": form, "result": result, "columns": importing.REQUIRED + importing.OPTIONAL}
    return _page(request, "import.jinja", context, status=200)


@requires(Perm.REVIEW_ACCESS)
@never_cache
def access_review(request):
    unused, past_end = queries.access_review_for(by=request.user)
    context = {
        "unused": [presenters.StaffRow(u) for u in unused[:200]],
        "past_end": past_end[:200],
        "days": services.UNUSED_DAYS,
        "review_url": reverse("staff:access_review"),
    }
    return _page(request, "access_review.jinja", context)
