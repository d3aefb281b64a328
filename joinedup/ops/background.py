"""Background tasks (django-tasks) of the service itself."""

from django.utils import timezone
from django_tasks import task


@task()
def heartbeat() -> str:
    """Run by the task worker once a minute (the scheduler enqueues it): its finishing time is how the readiness
    check knows that the scheduler and a worker are both alive."""
    return timezone.now().isoformat()
