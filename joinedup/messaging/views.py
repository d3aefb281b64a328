import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from joinedup.accounts.middleware import public
from joinedup.accounts.roles import Perm
from joinedup.core.audit import audit_list
from joinedup.core.decorators import requires
from joinedup.core.paging import page_number, row_id

from . import mesh, queries, services
from .forms import MailboxForm
from .presenters import MessagePresenter


@requires(Perm.EDIT_RECORD)
def failures(request):
    """Messages that could not be delivered, for the team to work: phone the person, correct their details, send
    again or mark it dealt with."""
    if request.method == "POST":
        message = queries.failure_for(by=request.user, pk=row_id(request.POST.get("message")) or 0)
        if request.POST.get("step") == "retry":
            services.failure_retry(by=request.user, message=message)
            messages.success(request, "The message will be sent again to the details on their record")
        else:
            services.failure_worked(by=request.user, message=message)
            messages.success(request, "Marked as dealt with")
        return redirect("messaging:failures")
    page = Paginator(queries.failures_for(by=request.user), 50).get_page(page_number(request))
    rows = [(m.person, MessagePresenter(m)) for m in page]
    audit_list(by=request.user, what="messages not delivered", person_ids=[m.person_id for m in page])
    return render(request, "messaging/failures.jinja", {"page": page, "rows": rows})


@requires(Perm.MESSAGING_ADMIN)
def sent(request):
    """Every message and file sent, and what became of it: the kind and the channel, never who or what."""
    page = Paginator(queries.messages_sent(), 100).get_page(page_number(request))
    files = Paginator(queries.transfers(), 50).get_page(page_number(request, "files"))
    return render(
        request,
        "messaging/sent.jinja",
        {"page": page, "rows": [MessagePresenter(m) for m in page], "files": files},
    )


@requires(Perm.MESSAGING_ADMIN)
def mailboxes(request):
    form = MailboxForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mesh.mailbox_set(by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Mailbox saved")
            return redirect("messaging:mailboxes")
    return render(request, "messaging/mailboxes.jinja", {"form": form, "mailboxes": queries.mailboxes()})


@public
@csrf_exempt
@require_POST
def notify_callback(request):
    """GOV.UK Notify's delivery receipts. Notify sends the bearer token we gave it; anything else is refused."""
    expected = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    if not expected or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        return JsonResponse({"error": "A valid bearer token is needed"}, status=401)
    try:
        body = json.loads(request.body)
        notify_id, reference, status = str(body["id"]), str(body.get("reference") or ""), str(body["status"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "A delivery receipt needs id and status"}, status=400)
    services.delivery_receipt(notify_id=notify_id[:40], reference=reference[:40], status=status[:30])
    return HttpResponse(status=204)
