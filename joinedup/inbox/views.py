"""The practice inbox (what the GP practice has been sent, seen by whom and when) and marking a handed-over task
seen or done. The lists are read through inbox.queries, scoped by the user and the one access policy."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from joinedup.accounts.roles import Perm
from joinedup.core.audit import audit_list
from joinedup.core.decorators import requires
from joinedup.core.paging import row_id
from joinedup.core.tasks import hidden_reasons

from . import queries, services
from .presenters import InboxRow


def _act(request):
    """Mark the posted item seen or done; answers what to tell the user."""
    item = queries.item_for(request.user, row_id(request.POST.get("item")))
    if item is None:
        raise Http404
    if request.POST.get("action") == "seen":
        services.inbox_seen(item, by=request.user)
        return "Marked as seen"
    if services.inbox_done(item, by=request.user):
        return "Marked as done: it has left the list"
    return "This was already done: nothing has changed"


@requires(Perm.PC_ASK_ADVICE)
def practice(request):
    """What the practice has been sent about its patients: advice answered, discharges, EMDT outcomes that change
    care, health check follow-ups for the GP. Anyone in the practice can mark an item seen or done."""
    organisations = queries.practice_organisations_of(request.user)
    if request.method == "POST":
        messages.success(request, _act(request))
        return redirect("inbox:practice")
    items, hidden = queries.practice_items_for(request.user, organisations=organisations)
    audit_list(
        by=request.user,
        what="practice inbox",
        person_ids=[i.person_id for i in items if i.person_id],
        reason="Shown in their GP practice's inbox: items about the practice's patients",
        request=request,
    )
    return render(
        request,
        "inbox/practice.jinja",
        {
            "organisations": organisations,
            "rows": [InboxRow(i) for i in items],
            "hidden": hidden_reasons(request.user, hidden, noun="item") if hidden else [],
        },
    )


def done(request):
    """Mark one of your handed-over tasks done (the button on My tasks). A GET shows where to find them."""
    if request.method == "POST":
        messages.success(request, _act(request))
        back = request.POST.get("next") or ""
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/"):
            return redirect(back)
        return redirect("my_tasks")
    return render(request, "inbox/done.jinja")


done.any_signed_in = True
