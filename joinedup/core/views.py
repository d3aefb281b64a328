from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from joinedup.accounts.middleware import public
from joinedup.accounts.roles import Perm
from joinedup.core.access import user_regions
from joinedup.core.audit import AuditAction, audit_list, audit_record
from joinedup.core.decorators import requires
from joinedup.nhsuk_forms.fields import NhsForm
from joinedup.people import queries as people_queries
from joinedup.people import services as people_services

from . import queries


def forbidden(request, exception=None):
    return render(request, "errors/403.jinja", status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.jinja", status=404)


def server_error(request):
    return render(request, "errors/500.jinja", status=500)


def home(request):
    """The start page: what this member of staff can do here. For commissioners and analysts, their reports."""
    from .access import may
    from .navigation import main_nav

    if may(request.user, Perm.VIEW_AGGREGATES) and not may(request.user, Perm.SEARCH_PEOPLE):
        from joinedup.reporting.views import index

        return index(request)
    return render(request, "home.jinja", {"items": main_nav(request)})


home.any_signed_in = True


def my_tasks(request):
    """Everything the signed-in member of staff has to do, from every service, overdue first, a page at a time."""
    from django.urls import reverse

    from .paging import page_number
    from .tasks import TASKS_PAGE, task_list

    page = page_number(request)
    listed = task_list(request.user)
    start = (page - 1) * TASKS_PAGE
    tasks = listed.tasks[start : start + TASKS_PAGE]
    audit_list(
        by=request.user,
        what="my tasks",
        person_ids=[t.person_id for t in tasks],
        reason=f"Shown on their own task list (page {page}): a task about them is theirs to do",
        request=request,
    )
    total = len(listed.tasks)
    return render(
        request,
        "tasks.jinja",
        {
            "tasks": tasks,
            "hidden": listed.hidden,
            "total": total,
            "overdue": sum(1 for t in listed.tasks if t.overdue),
            "first": start + 1,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if start + TASKS_PAGE < total else None,
            "done_url": reverse("inbox:done"),
        },
    )


my_tasks.any_signed_in = True


@public
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class ReviewForm(NhsForm):
    note = forms.CharField(
        label="Review note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what the review found"},
    )


@requires(Perm.REVIEW_AUDIT)
def emergency_access_list(request):
    show_all = request.GET.get("show") == "all"
    accesses = list(
        people_queries.emergency_accesses_for_review(unreviewed_only=not show_all, regions=user_regions(request.user))
    )
    audit_list(
        by=request.user,
        what="emergency accesses to review",
        person_ids=[a.person_id for a in accesses],
        reason="Shown to information governance: an emergency access to their record, for review",
        request=request,
    )
    return render(request, "governance/emergency_access_list.jinja", {"accesses": accesses, "show_all": show_all})


@requires(Perm.REVIEW_AUDIT)
def emergency_access_review(request, access_id):
    access = people_queries.emergency_access_for_review(pk=access_id, regions=user_regions(request.user))
    audit_record(
        by=request.user,
        action=AuditAction.VIEW,
        what="emergency access review",
        person=access.person,
        obj=access,
        reason="Information governance reviewing an emergency access to their record",
        request=request,
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            people_services.emergency_access_review(by=request.user, access=access, note=form.cleaned_data["note"])
        except ValidationError as e:
            form.add_error(None, e.messages)
        else:
            messages.success(request, "Review recorded")
            return redirect("governance:emergency_access")
    return render(request, "governance/emergency_access_review.jinja", {"access": access, "form": form})


@requires(Perm.REVIEW_AUDIT)
def audit_trail(request):
    nhs_number = request.GET.get("nhs_number", "")
    username = request.GET.get("user", "")
    events = queries.audit_events(nhs_number=nhs_number, username=username, regions=user_regions(request.user))
    audit_list(
        by=request.user,
        what="audit trail",
        person_ids=[e.person_id for e in events],
        reason="Shown to information governance in the audit trail",
        request=request,
    )
    return render(request, "governance/audit.jinja", {"events": events, "nhs_number": nhs_number, "username": username})


def bad_request(request, exception=None):
    return render(request, "errors/400.jinja", status=400)
