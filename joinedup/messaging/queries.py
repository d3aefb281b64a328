"""Reads the pages share, scoped by what the reader may see."""

from django.http import Http404

from joinedup.accounts.roles import Perm
from joinedup.core.access import visible_people

from .models import FAILURES, Message, PracticeMailbox, Transfer


def failures_for(*, by):
    """Failed messages not yet dealt with, about people this reader may edit the record of."""
    return (
        Message.objects.filter(status__in=FAILURES, worked_at__isnull=True)
        .filter(person__in=visible_people(by, Perm.EDIT_RECORD))
        .select_related("person")
        .order_by("-finished_at", "-id")
    )


def failure_for(*, by, pk):
    message = failures_for(by=by).filter(pk=pk).first()
    if message is None:
        raise Http404("No failed message found")
    return message


def messages_sent():
    """Every message, newest first, for the administrator's list: no person, no recipient, no content."""
    return Message.objects.only(
        "id", "purpose", "channel", "status", "created_at", "sent_at", "finished_at", "attempts", "notify_id", "why"
    ).order_by("-created_at", "-id")


def transfers():
    return Transfer.objects.select_related("practice").defer("content").order_by("-created_at", "-id")


def mailboxes():
    return PracticeMailbox.objects.select_related("practice").order_by("practice__ods_code")
