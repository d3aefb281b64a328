"""The outbox's worker tasks (Django's tasks API: the immediate backend in the demo and tests, the database
backend with db_worker processes in production). Safe to run twice or at once: rows are claimed before sending."""

from django_tasks import task


@task()
def send_outbox() -> dict:
    from .services import outbox_send_due

    return outbox_send_due()


@task()
def exchange_mesh() -> dict:
    from django.conf import settings

    from .mesh import mesh_exchange

    return mesh_exchange(wait=settings.MESSAGING_MESH_WAIT_SECONDS)
