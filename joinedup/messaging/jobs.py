"""What runs on its own: retries and messages waiting for a safe time or a reminder date go out when due, and
the practices' MESH mailboxes are read."""

import datetime as dt

from joinedup.core.schedule import scheduled


@scheduled("messaging.send_outbox", every=dt.timedelta(minutes=1))
def send_outbox(now):
    from .tasks import send_outbox

    send_outbox.enqueue()


@scheduled("messaging.exchange_mesh", every=dt.timedelta(minutes=5))
def exchange_mesh(now):
    from .tasks import exchange_mesh

    exchange_mesh.enqueue()
