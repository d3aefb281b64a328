from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "joinedup.ops"
    label = "ops"
    verbose_name = "Running as a service: readiness, metrics, request ids, replicas, partitions"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the scheduled jobs)
