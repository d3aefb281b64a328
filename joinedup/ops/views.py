import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse

from joinedup.accounts.middleware import public

from . import metrics, readiness

LOOPBACK = {"127.0.0.1", "::1"}


@public
def ready(request):
    """200 when the database and the task worker are reachable, 503 (and what is wrong) when not."""
    found = readiness.checks()
    ok = readiness.ready(found)
    return JsonResponse({"status": "ready" if ok else "not ready", "checks": found}, status=200 if ok else 503)


@public
def prometheus_metrics(request):
    """For Prometheus: with JOINEDUP_METRICS_TOKEN set, only with `Authorization: Bearer <token>`; without it,
    only from this machine (a scraper beside the server). Anyone else gets the 404 page: no sign it exists."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Http404
    elif request.META.get("REMOTE_ADDR") not in LOOPBACK:
        raise Http404
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)
