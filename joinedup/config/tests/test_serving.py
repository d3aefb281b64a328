"""Production and the demo serve real pages, from real servers started as operators start them.

`make serve` (PostgreSQL only): the Procfile's web, worker and scheduler processes under honcho, as production
runs them: ready once the worker has run the scheduler's heartbeat, metrics and JSON logs with request ids, and
SIGTERM lets a request and a task in flight finish.

Production: `collectstatic` with the production settings (hashed, compressed names and a manifest), then
gunicorn with DEBUG off. The demo: `manage.py runserver` as `make demo` starts it, DEBUG off as well. In both,
a wrong address, a refused form and a failing database show the NHS-styled 404, 403 and 500 pages, never
Django's debug page, and the NHS.UK stylesheet is served.

The database is an empty SQLite file, so any request that reaches it fails: that is the 500 here (a session
cookie makes the sign-in check read the session table), as when the real database is down.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SECRET = "k3J9-q8Zr!x2Lw7@Vb5Nc1Hm6Tg4Pd0Ys8Fa3Ue9Io2Qk7Rj5Wl1Zx6Cv4Bn8Mh0"
DEBUG_PAGE_SIGNS = ("Traceback", "DEBUG = True", "Using the URLconf", "DJANGO_SECRET_KEY", SECRET)


def _environment(tmp_path, environment, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JOINEDUP_", "DATABASE_"))}
    env.update(
        JOINEDUP_ENVIRONMENT=environment,
        JOINEDUP_VAR_DIR=str(tmp_path / "var"),
        JOINEDUP_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="joinedup.config.settings",
        PYTHONDONTWRITEBYTECODE="1",
        **extra,
    )
    return env


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(command, env, port):
    """Start a server, wait until it answers, stop it afterwards (and show its output if it never answered)."""
    log = open(env["JOINEDUP_VAR_DIR"] + "/server.log", "w+")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"{command[2]} did not start:\n{log.read()[-3000:]}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _request(url, *, method="GET", headers=None):
    """(status, body) of one request; the status is 0 when the server does not answer."""
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310 (our own server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return 0, ""


def _check_error_pages(base, headers):
    """A wrong address (404), a form without its token (403) and a failing database (500)."""
    pages = []
    status, page = _request(f"{base}/no-such-page/", headers=headers)
    assert status == 404 and "Page not found" in page, page[:3000]
    pages.append(page)

    status, page = _request(f"{base}/account/sign-in/", method="POST", headers=headers)  # no CSRF token
    assert status == 403 and "You cannot see this page" in page, page[:3000]
    pages.append(page)

    status, page = _request(f"{base}/people/", headers=headers | {"Cookie": "sessionid=" + "a" * 32})
    assert status == 500 and "Sorry, there is a problem with the service" in page, page[:3000]
    pages.append(page)

    for page in pages:
        assert "nhsuk-header" in page, "not the NHS-styled page"
        assert not [sign for sign in DEBUG_PAGE_SIGNS if sign in page], "Django's debug page"


def _production(tmp_path):
    (tmp_path / "var").mkdir()
    return _environment(
        tmp_path,
        "production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )


def _collectstatic(env):
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert collect.returncode == 0, collect.stderr[-3000:]


def test_production_refuses_to_start_before_collectstatic_and_says_what_to_run(tmp_path):
    start = subprocess.run(
        [sys.executable, "-c", "import joinedup.config.wsgi"],
        cwd=ROOT,
        env=_production(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert start.returncode != 0
    assert "run `python manage.py collectstatic --no-input`" in start.stderr


@pytest.mark.slow
def test_production_collects_static_files_and_serves_pages_and_error_pages_with_debug_off(tmp_path):
    env = _production(tmp_path)
    _collectstatic(env)
    assert (tmp_path / "static" / "staticfiles.json").exists()

    port = _free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "joinedup.config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]
    https = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy sends
    with _server(gunicorn, env, port) as base:
        status, page = _request(f"{base}/account/sign-in/", headers=https)
        assert status == 200, page[-2000:]
        assert "Sign in to Joined Up" in page
        stylesheet = re.search(r'href="(/static/vendor/nhsuk/nhsuk-frontend\.min\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the page does not link the hashed NHS.UK stylesheet"
        status, css = _request(base + stylesheet.group(1), headers=https)
        assert status == 200 and ".nhsuk-header" in css
        _check_error_pages(base, https)


@pytest.mark.slow
def test_the_demo_runs_with_debug_off_and_shows_the_nhs_error_pages_and_styles(tmp_path):
    env = _environment(tmp_path, "demo")
    (tmp_path / "var").mkdir()
    port = _free_port()
    runserver = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]
    with _server(runserver, env, port) as base:
        status, page = _request(f"{base}/account/sign-in/")
        assert status == 200 and "Demonstration system: synthetic data only" in page
        status, css = _request(f"{base}/static/vendor/nhsuk/nhsuk-frontend.min.css")
        assert status == 200 and ".nhsuk-header" in css
        _check_error_pages(base, {})


def _database_url(settings_dict):
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the servers are other processes: they see only committed rows
def test_make_serve_runs_web_worker_and_scheduler_on_postgresql_and_stops_gracefully(tmp_path):
    """The real Procfile, its web line pointed at the application wrapped with one slow page (to have a request in
    flight), against the test database. SIGTERM to `make serve`'s process: the slow request and a slow task finish."""
    import threading

    from django.db import connection
    from django.test import override_settings

    if connection.vendor != "postgresql":
        pytest.skip("make serve runs against PostgreSQL only; this run is on SQLite")
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from joinedup.ops.tests.pgcluster import wait_for
    from joinedup.ops.tests.slow import slow_task

    port = _free_port()
    env = _production(tmp_path)
    env.update(
        DATABASE_URL=_database_url(connection.settings_dict),
        JOINEDUP_TASK_BACKEND="django_tasks_db.DatabaseBackend",
        JOINEDUP_BIND=f"127.0.0.1:{port}",
        JOINEDUP_GRACEFUL_TIMEOUT="15",
        WEB_CONCURRENCY="2",
        PATH=f"{Path(sys.executable).parent}:{env['PATH']}",
    )
    _collectstatic(env)
    procfile = tmp_path / "Procfile"
    real = (ROOT / "Procfile").read_text()
    assert " joinedup.config.wsgi" in real
    procfile.write_text(real.replace(" joinedup.config.wsgi", " joinedup.ops.tests.slow:application"))

    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115 (closed below)
    serve = subprocess.Popen(
        [sys.executable, "-m", "joinedup.config.serve", "-f", str(procfile)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base, https = f"http://127.0.0.1:{port}", {"X-Forwarded-Proto": "https"}
    try:

        def ready():
            assert serve.poll() is None, "make serve stopped"
            return _request(f"{base}/health/ready", headers=https)[0] == 200

        wait_for(ready, 90, "readiness (database and a worker heartbeat)")
        status, body = _request(f"{base}/health/ready", headers=https)
        assert json.loads(body)["checks"]["worker"] == "ok"

        status, _ = _request(f"{base}/account/sign-in/", headers=https | {"X-Request-ID": "serve-test-0001"})
        assert status == 200
        status, metrics = _request(f"{base}/metrics", headers=https)
        assert status == 200
        assert 'joinedup_http_requests_total{method="GET",status="200",view="accounts:sign_in"}' in metrics
        assert 'joinedup_task_queue_depth{queue="default"}' in metrics

        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            task = slow_task.enqueue(4)
            wait_for(
                lambda: DBTaskResult.objects.get(pk=task.id).status == TaskResultStatus.RUNNING, 30, "the task to start"
            )
        answers = []
        slow = threading.Thread(target=lambda: answers.append(_request(f"{base}/slow-for-test", headers=https)))
        slow.start()
        time.sleep(1)  # the request and the task are both in flight
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        slow.join(timeout=30)
        assert answers == [(200, "finished")]
        assert DBTaskResult.objects.get(pk=task.id).status == TaskResultStatus.SUCCESSFUL
    finally:
        if serve.poll() is None:  # a failure above: stop it as an operator would (SIGKILL would orphan its processes)
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=90)
        log.seek(0)
        output = log.read()
        log.close()
    request_lines = [
        json.loads(line.split("| ", 1)[1]) for line in output.splitlines() if '"message": "request"' in line
    ]
    sign_in = [line for line in request_lines if line["path"] == "/account/sign-in/"]
    assert sign_in and sign_in[0]["request_id"] == "serve-test-0001" and sign_in[0]["status"] == 200, output[-3000:]
