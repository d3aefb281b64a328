"""P6: the demo server at rest. Target: resident memory <= 300 MB.

The demo server is started as `make demo` starts it (`manage.py runserver`, JOINEDUP_ENVIRONMENT=demo, DEBUG
off as in the demo), but with --noreload so that it is one process, in the scratch environment after `migrate`,
`load_region` and one person with 1,000 timeline entries and 30 care team members (as in P3). Once /health
answers, it is used a little as staff would use it (the sign-in page, a stylesheet, signing in as a member of
the care team, the search page, the person's record and timeline), rests a few seconds, and the resident set
(VmRSS in /proc/<pid>/status) of its process tree is read. Baseline, same run: `python -m http.server`, the
smallest Python web server, treated the same way. Also reported: a process that only runs django.setup(),
and gunicorn with one worker (master + worker), used as the demo server is.

RSS counts shared pages (the interpreter, libraries) once per process, so for gunicorn's two processes the sum
overstates what they use together; PSS (proportional set size, from /proc/<pid>/smaps_rollup) shares them out
and is reported beside it.
"""

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .common import BASE_DIR, emit, prepare_database, ratio, setup_django, step

TARGET_MB = 300
REST_SECONDS = 5
USERNAME = "bench.viewer"
PASSWORD = "bench-only correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) is in brackets and may hold spaces; the parent id follows the state.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children(current))
    return tree


def _kb(path: Path, field: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def memory_mb(pid: int) -> tuple[float, float, int]:
    """(RSS, PSS) of the process and its descendants, in MB (2**20 bytes), and how many processes."""
    pids = process_tree(pid)
    rss = sum(_kb(Path(f"/proc/{p}/status"), "VmRSS") for p in pids)
    try:
        pss = sum(_kb(Path(f"/proc/{p}/smaps_rollup"), "Pss") for p in pids)
    except OSError:
        pss = 0
    return round(rss / 1024, 1), round(pss / 1024, 1), len(pids)


def get(url: str, timeout: float = 10) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped while starting (exit status {process.returncode})")
        try:
            if get(url, timeout=2) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def measure(what: str, command: list[str], *, health: str, use, log: Path) -> tuple[float, float, int]:
    """Start `command`, wait for `health`, use it (`use()` makes its requests), rest, read memory, stop it."""
    with step(what), open(log, "ab") as log_file:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_up(health, process)
            use()
            time.sleep(REST_SECONDS)
            rss, pss, count = memory_mb(process.pid)
        finally:
            stop(process)
    print(f"  {what}: RSS {rss} MB, PSS {pss} MB, {count} process{'es' if count > 1 else ''}", flush=True)
    return rss, pss, count


def stop(process: subprocess.Popen) -> None:
    """Stop the server we started (its own process group, so a gunicorn worker goes with its master)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def expect_ok(status: int, what: str) -> None:
    if status >= 400:
        raise RuntimeError(f"{what} answered {status}")


def use_as_staff(base: str, person_id: int) -> None:
    """What a member of staff does first: open the sign-in page, sign in, search, open a record and timeline."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def fetch(path, data=None):
        request = urllib.request.Request(base + path, data=data, headers={"Referer": base + "/"})
        with opener.open(request, timeout=30) as response:
            expect_ok(response.status, path)
            return response.read().decode()

    fetch("/")  # redirects to the sign-in page
    fetch("/static/css/app.css")
    page = fetch("/account/sign-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": USERNAME, "password": PASSWORD})
    home = fetch("/account/sign-in/", data=form.encode())
    if "Sign out" not in home:
        raise RuntimeError("signing in did not work")
    for path in ["/people/", f"/people/{person_id}/", f"/people/{person_id}/timeline/"] * 2:
        fetch(path)


def prepare() -> None:
    """In a process of its own: migrate, load the region, and build the person and the signed-in viewer."""
    setup_django()
    prepare_database()
    from .p3_record import CARE_TEAM, ENTRIES, build

    with step(f"build a person with {ENTRIES:,} timeline entries and {CARE_TEAM} care team members"):
        person, viewer = build("demo", entries=ENTRIES, care_team=CARE_TEAM)
        viewer.username = USERNAME
        viewer.set_password(PASSWORD)
        viewer.save()
    print(f"  person {person.pk} built; {USERNAME} is on the care team", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="no difference: P6 has one size")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--prepare", action="store_true", help="(internal) set up the scratch database")
    if parser.parse_args(argv).prepare:
        prepare()
        return
    if "JOINEDUP_VAR_DIR" not in os.environ:
        sys.exit("Run benchmarks through `python -m bench`, which gives each its own scratch database.")
    var_dir = Path(os.environ["JOINEDUP_VAR_DIR"])
    log = var_dir / "servers.log"
    python = sys.executable
    manage = [python, "manage.py"]
    backend = "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"

    prepared = subprocess.run(
        [python, "-m", "bench.p6_memory", "--prepare"], cwd=BASE_DIR, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    print(prepared, end="", flush=True)
    person_id = int(re.search(r"person (\d+)", prepared).group(1))

    def use_app(port):
        return lambda: use_as_staff(f"http://127.0.0.1:{port}", person_id)

    def use_plain(port):
        return lambda: [expect_ok(get(f"http://127.0.0.1:{port}/"), "/") for _ in range(8)]

    port = free_port()
    server = measure(
        "demo server (manage.py runserver --noreload)",
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        health=f"http://127.0.0.1:{port}/health",
        use=use_app(port),
        log=log,
    )
    port = free_port()
    baseline = measure(
        "baseline: python -m http.server",
        [python, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(var_dir)],
        health=f"http://127.0.0.1:{port}/",
        use=use_plain(port),
        log=log,
    )
    port = free_port()
    bare_django = measure(
        "django.setup() alone, behind http.server",
        [python, "-c", DJANGO_ONLY, str(port), str(var_dir)],
        health=f"http://127.0.0.1:{port}/",
        use=use_plain(port),
        log=log,
    )
    gunicorn = None
    try:
        import gunicorn as _  # noqa: F401
    except ImportError:
        print("  gunicorn is not installed: skipped", flush=True)
    else:
        port = free_port()
        gunicorn = measure(
            "gunicorn, 1 worker",
            [python, "-m", "gunicorn", "joinedup.config.wsgi:application", "-w", "1", "-b", f"127.0.0.1:{port}"],
            health=f"http://127.0.0.1:{port}/health",
            use=use_app(port),
            log=log,
        )

    emit(
        {
            "id": "P6",
            "figure": server[0],
            "unit": "MB",
            "baseline": "python -m http.server, same run",
            "baseline_figure": baseline[0],
            "ratio": ratio(server[0], baseline[0]),
            "target": f"RSS <= {TARGET_MB} MB",
            "met": server[0] <= TARGET_MB,
            "size": 1,
            "backend": backend,
            "server_pss": server[1],
            "django_setup_rss": bare_django[0],
            "gunicorn_1_worker_rss": gunicorn[0] if gunicorn else None,
            "gunicorn_1_worker_pss": gunicorn[1] if gunicorn else None,
            "gunicorn_processes": gunicorn[2] if gunicorn else None,
        }
    )


# A process holding everything django.setup() loads (settings, apps, models), serving nothing of Django's.
DJANGO_ONLY = """
import functools, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
import django
django.setup()
from http.server import HTTPServer, SimpleHTTPRequestHandler
handler = functools.partial(SimpleHTTPRequestHandler, directory=sys.argv[2])
HTTPServer(("127.0.0.1", int(sys.argv[1])), handler).serve_forever()
"""

if __name__ == "__main__":
    main()
