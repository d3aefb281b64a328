"""The access review runs daily on its own (core/schedule.py)."""

import datetime as dt

from joinedup.core.schedule import scheduled


@scheduled("staff.access_review", every=dt.timedelta(days=1))
def access_review(now):
    from .services import access_review_run

    return access_review_run(now=now)
