"""One id per request, carried by every log line written while the request is served.

The id comes from the proxy's `X-Request-ID` header when it sends a sensible one (so a request can be followed
from the load balancer to the database), otherwise a new one; the response carries it back in `X-Request-ID`.
"""

import contextvars
import logging
import re
import uuid

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SENSIBLE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def current_request_id() -> str:
    return _current.get()


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is one we can safely log, else a fresh one."""
    if header and _SENSIBLE.match(header):
        return header
    return uuid.uuid4().hex


def bind(request_id: str):
    return _current.set(request_id)


def unbind(token) -> None:
    _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record ("" outside a request: the worker, the scheduler, start-up)."""

    def filter(self, record):
        record.request_id = _current.get()
        return True
