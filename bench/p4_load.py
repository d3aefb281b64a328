"""P4: 50 simulated members of staff for 60 s against the production processes (`make serve`: gunicorn, the task
worker, the scheduler) on PostgreSQL. Target (issue 16, item 2): p95 <= 300 ms and no errors.

The scratch database gets the region pack and the demo (`seed_demo`, 300 people quick, 2,000 with --full). The
stack is started as `make serve` starts it (`python -m joinedup.config.serve`, the real Procfile, tasks to the
worker) on a free loopback port; Locust runs headless in another process with 50 users
(bench/p4_locustfile.py), each with a signed-in session of its own made beforehand: a sign-in's Argon2 hash is
deliberately slow (about 0.3 s of CPU) and 50 at once would measure only that. The mix: search, record,
timeline, My tasks, worklist or caseload, care plan draft edits, 1-3 s apart. Baseline, same run, same load:
the trivial view `/health`. The figure is the p95 of every request of the mix, the ratio is against the
baseline's p95. Register uploads are not in the mix (see docs/performance.md). The stack is stopped with SIGTERM.
"""

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .common import BASE_DIR, backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 300
PERSONAS = ("demo.mhp", "demo.clinician", "demo.keyworker", "demo.coordinator", "demo.outreach")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _plan(path: Path) -> None:
    from joinedup.accounts.models import User
    from joinedup.accounts.roles import Perm
    from joinedup.core.access import may, visible_people

    users = []
    for username in PERSONAS:
        user = User.objects.get(username=username)
        people = list(visible_people(user, Perm.SEARCH_PEOPLE).order_by("pk").values("id", "nhs_number")[:300])
        if not people:
            continue
        plans = [p["id"] for p in people[:40] if may(user, "care.edit_plan", _person(p["id"]))]
        list_url = "/health-checks/" if username == "demo.outreach" else "/care/caseload/"
        if list_url == "/care/caseload/" and not may(user, Perm.VIEW_CASELOAD):
            list_url = "/tasks/"
        users.append(
            {
                "username": username,
                "sessions": [_session(user) for _ in range(10)],
                "people": [{"id": p["id"], "nhs": p["nhs_number"]} for p in people],
                "plans": plans[:10],
                "list_url": list_url,
            }
        )
    path.write_text(json.dumps({"users": users, "uploader": _uploader(path.with_name("p4-register.csv"))}))
    return users


UPLOADER = "demo.gp"  # a care navigator whose practice sends its SMI register now and then
UPLOAD_ROWS = 300


def _uploader(path: Path) -> dict:
    """The practice's register as its next extract: everyone on it now, and new people up to UPLOAD_ROWS (NHS
    numbers from the far end of the benchmark's own range, clear of the demo's). The first upload adds them; the
    later ones change nothing, as most monthly files do."""
    from joinedup.accounts.models import User
    from joinedup.healthchecks.models import RegisterEntry

    from .healthchecks_p1 import COLUMNS

    user = User.objects.get(username=UPLOADER)
    practice = next(m.team.practice for m in user.active_memberships if m.team.practice_id)
    entries = RegisterEntry.objects.filter(practice=practice, left_on__isnull=True).select_related("person")
    rows = [
        [practice.ods_code, e.person.nhs_number, e.person.family_name, e.person.given_name, e.date_of_birth.isoformat(),
         "U", "FY1 3AB", e.smi_code, "", "", "", "", "", "", "", "", ""]
        for e in entries[:UPLOAD_ROWS]
    ]  # fmt: skip
    body = 999_999_000
    while len(rows) < UPLOAD_ROWS:
        body -= 1
        digits = str(body)
        check = (11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            rows.append(
                [practice.ods_code, digits + str(check), "Upload", "Pat", "1980-01-01", "U", "FY1 3AB", "58214004"]
                + [""] * 9
            )
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return {"username": UPLOADER, "sessions": [_session(user)], "file": str(path)}


def _session(user) -> str:
    """A signed-in session, as the sign-in page leaves one (the demo skips the second factor)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _person(pk):
    from joinedup.people.models import Person

    return Person.objects.get(pk=pk)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args(argv)
    setup_django()
    if backend() != "postgresql":
        emit({"id": "P4", "skipped": "make serve runs against PostgreSQL: run with DATABASE_URL=postgres://..."})
        return
    from joinedup.demo.seeding import seed_demo

    prepare_database()
    people = 2000 if args.full else 300
    with step(f"seed the demo ({people} people)"):
        seed_demo(people=people, seed=2026)
    var = Path(os.environ["JOINEDUP_VAR_DIR"])
    with step("who signs in as whom"):
        users = _plan(var / "p4-plan.json")
    from django.db import connections

    connections.close_all()

    port = _free_port()
    env = dict(os.environ)
    env.update(
        JOINEDUP_BIND=f"127.0.0.1:{port}",
        JOINEDUP_TASK_BACKEND="django_tasks_db.DatabaseBackend",
        PATH=f"{Path(sys.executable).parent}:{env['PATH']}",
        P4_PLAN=str(var / "p4-plan.json"),
        P4_TIMES=str(var / "p4-times.json"),
    )
    log = open(var / "serve.log", "w")  # noqa: SIM115
    serve = subprocess.Popen(
        [sys.executable, "-m", "joinedup.config.serve"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        with step("start make serve's processes and wait for readiness"):
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if serve.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"make serve did not become ready: see {var / 'serve.log'}")
                time.sleep(0.5)
        with step(f"Locust: {args.users} users for {args.seconds} s"):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(BASE_DIR / "bench" / "p4_locustfile.py"),
                    "--headless",
                    "-u",
                    str(args.users),
                    "-r",
                    str(args.users),
                    "-t",
                    f"{args.seconds}s",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=BASE_DIR,
                env=env,
                check=False,
                stdout=subprocess.DEVNULL,
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=60) as r:
                metrics = r.read().decode()
        except OSError as error:
            metrics = f"# metrics not read: {error}"
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=90)
        log.close()

    times = json.loads((var / "p4-times.json").read_text())
    baseline = [t / 1000 for name, t, ok in times if name == "trivial view (baseline)"]
    mix = [t / 1000 for name, t, ok in times if name not in ("trivial view (baseline)", "sign in", "sign in page")]
    errors = [name for name, t, ok in times if not ok]
    by_name = {}
    for name, t, _ in times:
        by_name.setdefault(name, []).append(t / 1000)
    for name, values in sorted(by_name.items()):
        print(f"  {name}: {len(values)} requests, p95 {ms(percentile(values, 95))} ms")
    depth = [line for line in metrics.splitlines() if line.startswith("joinedup_task_queue_depth")]
    figure, base = percentile(mix, 95), percentile(baseline, 95)
    emit(
        {
            "id": "P4",
            "figure": ms(figure),
            "unit": "ms",
            "baseline_figure": ms(base),
            "ratio": ratio(figure, base),
            "target": f"p95 <= {TARGET_MS} ms, no errors",
            "met": figure <= TARGET_MS / 1000 and not errors,
            "users": args.users,
            "seconds": args.seconds,
            "requests": len(times),
            "errors": len(errors),
            "error_names": sorted(set(errors))[:10],
            "per_name_p95_ms": {name: ms(percentile(v, 95)) for name, v in sorted(by_name.items())},
            "personas": [u["username"] for u in users],
            "people": people,
            "web_workers": int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1)),
            "queue_depth_after": depth,
        }
    )


if __name__ == "__main__":
    main()
