"""gunicorn settings for production (`gunicorn -c python:joinedup.config.gunicorn joinedup.config.wsgi`).

Workers: WEB_CONCURRENCY, else two per CPU plus one (gunicorn's advice for synchronous workers: one is usually
waiting on the database). SIGTERM: gunicorn stops accepting, lets requests in flight finish for up to
`graceful_timeout` seconds, then stops. Prometheus multiprocess mode: every worker writes its request counts into
PROMETHEUS_MULTIPROC_DIR (emptied when gunicorn starts; a dead worker's live gauges are dropped)."""

import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("JOINEDUP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("JOINEDUP_WORKER_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("JOINEDUP_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# A worker is replaced after this many requests (plus jitter), so a slow leak never grows without bound.
max_requests = int(os.environ.get("JOINEDUP_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The Django log (JSON, with request ids) carries one line per request; gunicorn's own access log would repeat it.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

_metrics_dir = Path(
    os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", str(Path(os.environ.get("JOINEDUP_VAR_DIR", "var")).resolve() / "prometheus")
    )
)


def on_starting(server):
    """Counts from an earlier run would be added to this one's: start from an empty folder."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
