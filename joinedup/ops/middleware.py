"""Request id, one JSON log line per request, and the request metrics (first in the chain, so it sees all)."""

import logging
import time

from django.utils.functional import empty

from . import metrics
from .requestid import bind, request_id_from, unbind

log = logging.getLogger("joinedup.requests")


class RequestIdAndMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get("X-Request-ID"))
        token = bind(request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            seconds = time.perf_counter() - started
            # The route's name, never the path: a path names people (their ids) and would make one series each.
            match = getattr(request, "resolver_match", None)
            view = (match.view_name if match else "") or "unmatched"
            if not view.startswith(("health", "ops:")):
                metrics.observe_request(request.method, view, response.status_code, seconds)
            # No query string: a search's words are personal data.
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            unbind(token)


def _user_id(request):
    """The signed-in user's id if the page already looked them up (never a database read of its own: when the
    database is down the 500 page must still be logged)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)
