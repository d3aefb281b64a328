"""The client's service account for one request, with the relationships the access policy built for it last time.

Building a user's relationships (joinedup/core/access.py) costs a few milliseconds a request: their memberships with
their teams, then one filter on Person per relationship. A staff member pays it once a page; a system client asks
many times a second with the same memberships, and on the FHIR API it was two thirds of a Patient read (P7,
docs/performance.md). So the API keeps what the policy built, per service account, while the account's memberships
stay the same (checked on every request with one small query: each active membership's role and what the
relationships read of its team, and the account's version, which staff administration moves on with every change)
and for at most REUSE_SECONDS.

Nothing about a person is carried over: the filters are SQL over the current rows (consent, care teams, requests,
registers are read when the query runs), and every request gets a fresh user object, so the policy's answers about
single persons (`may` for one person) start afresh each time. The one filter that holds a time, emergency access
(`expires_at > now`), could outlive an expiry by REUSE_SECONDS; service accounts cannot be granted emergency access.
"""

import threading
import time

from joinedup.accounts.models import Membership
from joinedup.core.access import relationships_adopt, relationships_built

REUSE_SECONDS = 60
_built: dict[int, tuple[tuple, float, dict]] = {}
_lock = threading.Lock()


# Everything of a membership that a relationship is built from (the relationships in each app's access.py).
_TEAM = (
    "team__kind",
    "team__organisation_id",
    "team__practice_id",
    "team__pcn_id",
    "team__locality_id",
    "team__region_id",
)


def _memberships_key(user) -> tuple:
    rows = Membership.objects.filter(user_id=user.pk, ended__isnull=True).order_by("pk")
    return (user.version, tuple(rows.values_list("pk", "team_id", "role", *_TEAM)))


def acting_account(user):
    """`user` (the client's service account, fresh from the token's row) ready to ask the access policy."""
    key = _memberships_key(user)
    now = time.monotonic()
    with _lock:
        known = _built.get(user.pk)
    if known is not None and known[0] == key and now - known[1] < REUSE_SECONDS:
        relationships_adopt(user, known[2])
        return user
    kept = relationships_built(user)
    with _lock:
        _built[user.pk] = (key, now, kept)
    return user


def forget_accounts() -> None:
    """Drop every account's kept relationships (tests that change memberships behind the services' back)."""
    with _lock:
        _built.clear()
