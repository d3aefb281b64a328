"""How the FHIR endpoints declare their access (the URL walk reads these marks).

- `token_api(resource_type, interaction)`: needs a bearer access token whose scopes allow the interaction. The
  view receives the client's service account as the acting user. Sessions count for nothing here, which is
  also why these endpoints, and only these, are exempt from CSRF: a bearer token is never sent by a browser
  on its own.
- `fhir_open`: readable without a token (the CapabilityStatement, the SMART configuration, the token endpoint).

Both answer every failure with an OperationOutcome, never an HTML page.
"""

import logging
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from joinedup.accounts.middleware import public
from joinedup.people.services import NotAllowed

from .accounts import acting_account
from .auth import client_for_bearer
from .responses import JSON_FORMATS, FhirError, outcome_response
from .scopes import allowed

logger = logging.getLogger(__name__)
INTERACTION_LETTER = {
    "read": "r",
    "vread": "r",
    "history-instance": "r",
    "search-type": "s",
    "create": "c",
    "update": "u",
    "delete": "d",
}


def _answer_failures(view, request, *args, **kwargs):
    try:
        return view(request, *args, **kwargs)
    except FhirError as e:
        return e.response()
    except Http404:
        return outcome_response(404, "not-found", "No such resource, or none this client may see")
    except (PermissionDenied, NotAllowed):
        return outcome_response(403, "forbidden", "The client's organisation may not do this")
    except Exception:
        logger.exception("FHIR request failed: %s %s", request.method, request.path)
        return outcome_response(500, "exception", "The server could not answer this request")


def _check_method_and_format(request, methods):
    if request.method not in methods:
        raise FhirError(405, "not-supported", f"{request.method} is not supported here; use {', '.join(methods)}")
    if request.GET.get("_format", "json") not in JSON_FORMATS:
        raise FhirError(406, "not-supported", "This server answers in JSON only", expression="_format")


def token_api(resource_type: str | None = None, interaction: str | None = None, methods=("GET",)):
    def decorate(view):
        def handle(request, *args, **kwargs):
            _check_method_and_format(request, methods)
            client, scopes = client_for_bearer(request)
            if resource_type and not allowed(scopes, resource_type, INTERACTION_LETTER[interaction]):
                raise FhirError(403, "forbidden", f"The access token does not allow {interaction} of {resource_type}")
            request.fhir_client = client
            request.fhir_scopes = scopes
            return view(request, acting_account(client.user), *args, **kwargs)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return _answer_failures(handle, request, *args, **kwargs)

        wrapped.token_authenticated = True
        return csrf_exempt(public(wrapped))

    return decorate


def fhir_open(methods=("GET",)):
    def decorate(view):
        def handle(request, *args, **kwargs):
            _check_method_and_format(request, methods)
            return view(request, *args, **kwargs)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return _answer_failures(handle, request, *args, **kwargs)

        return public(wrapped)

    return decorate


def by_method(**views):
    """One address, a view per HTTP method (`get=..., post=...`), each declaring its own access with token_api."""

    def dispatch(request, *args, **kwargs):
        view = views.get(request.method.lower())
        if view is None:
            allowed = ", ".join(m.upper() for m in views)
            return outcome_response(405, "not-supported", f"{request.method} is not supported here; use {allowed}")
        return view(request, *args, **kwargs)

    dispatch.token_authenticated = True
    return csrf_exempt(public(dispatch))
