"""P1 (issue 16 item 6): import a 1,000,000-row SMI register extract three times, each against a plain COPY of
the same file in the same run. Targets on PostgreSQL: P1a, the first import (every person new), <= 30 x COPY with
peak memory <= 500 MB; P1b, the same file again (nothing changed), <= 5 x COPY; P1c, the next month's file (2% of
rows changed, 1% gone, 1% new), <= 8 x COPY. On SQLite, the first import <= 90 s.

While each import runs, another process (bench/healthchecks_probe.py, as a web worker would be) asks for an
outreach worker's first worklist page every 0.2 s and every 5 s imports one practice's 300-row file, as the upload
page does: p95 <= 100 ms and every upload within 2 s. That practice's 300 rows are in the big file too, spread
through it, so the two imports meet on the same people.

The file is made first (synthetic rows across every practice of the region, NHS numbers from the 999 test range,
a few rows with problems). The baseline for each file: on PostgreSQL `COPY ... FROM STDIN WITH (FORMAT csv,
HEADER)` of the file into a fresh table of text columns with no index; on SQLite, where there is no COPY, the csv
module and executemany into such a table. The import is `joinedup.healthchecks.registers.import_register`, the
function the command and the upload page call. Peak memory is the process's maximum resident set size
(ru_maxrss), which includes Django itself; P1a's is read before P1b and P1c run.
"""

import argparse
import csv
import os
import resource
import time
from pathlib import Path

from .common import backend, emit, prepare_database, ratio, setup_django, step

SEED = 2026
COLUMNS = [
    "practice_code",
    "nhs_number",
    "family_name",
    "given_name",
    "date_of_birth",
    "sex",
    "postcode",
    "smi_code",
    "smi_date",
    "remission_code",
    "last_full_check_date",
    "bmi_date",
    "bp_date",
    "glucose_date",
    "lipids_date",
    "smoking_date",
    "alcohol_date",
]


def nhs_numbers():
    """Valid NHS numbers, the 999 test range first. It holds about 909,000 (one body in eleven has no check digit),
    so a 1,000,000-row file goes on into 998: only ever in the benchmark's scratch database."""
    for start in (999_000_000, 998_000_000):
        for body in range(start, start + 1_000_000):
            digits = str(body)
            total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
            check = (11 - total % 11) % 11
            if check != 10:
                yield digits + str(check)


def make_file(path: Path, rows: int, *, small_practice: str | None = None, small_rows: int = 300) -> None:
    """The register file. With `small_practice`, that practice has `small_rows` rows, spread through the file (the
    rest of its share goes to the next practice)."""
    import random

    from joinedup.directory.models import OutreachCoverage, Practice

    rng = random.Random(SEED)
    covered = OutreachCoverage.objects.values("locality_id")
    codes = list(
        Practice.objects.filter(locality_id__in=covered).order_by("ods_code").values_list("ods_code", flat=True)
    )
    given = ["Alex", "Sam", "Jordan", "Chris", "Zoë", "Siân", "Róisín", "Jamie"]
    family = ["Holt", "Marsh", "O'Neill", "Brontë", "Calder", "Wyre", "Pendle", "Ribble"]
    formats = ["{y}-{m:02d}-{d:02d}", "{d:02d}/{m:02d}/{y}", "{d} March {y}"]
    numbers = nhs_numbers()
    small = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for i in range(rows):
            code = codes[i % len(codes)]
            if code == small_practice:
                small += 1
                if small > small_rows:
                    code = codes[(i + 1) % len(codes)]
            y = rng.randint(1940, 2005)
            born = formats[i % 3].format(y=y, m=rng.randint(1, 12), d=rng.randint(1, 28))
            check = f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            full = rng.random() < 0.4
            w.writerow(
                [
                    code,
                    next(numbers),
                    rng.choice(family),
                    rng.choice(given),
                    born,
                    rng.choice("MFU"),
                    "FY1 3AB",
                    "58214004",
                    "",
                    "111485001" if i % 50 == 0 else "",
                    check if full else "",
                    *([check] * 6 if full else [""] * 6),
                ]
            )


def month_later(source: Path, path: Path, *, seed: int = SEED + 1) -> dict:
    """The next month's extract: 2% of rows changed (a newer check), 1% gone, 1% new people (NHS numbers after the
    first file's). Lines keep their order; the new ones are spread through the file."""
    import random

    rng = random.Random(seed)
    with open(source, encoding="utf-8", newline="") as f:
        lines = f.read().splitlines()
    header, body = lines[0], lines[1:]
    numbers = nhs_numbers()
    for _ in range(len(body) + 1000):  # past every number the first file used (a few of its rows are repeats)
        next(numbers)
    out, counts = [header], {"changed": 0, "gone": 0, "new": 0}
    for line in body:
        roll = rng.random()
        if roll < 0.01:
            counts["gone"] += 1
            continue
        cells = line.split(",")
        if roll < 0.03 and len(cells) == len(COLUMNS):
            when = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
            cells[10:17] = [when] * 7
            counts["changed"] += 1
        out.append(",".join(cells))
        if roll > 0.99:
            new = cells[:]
            new[1] = next(numbers)
            out.append(",".join(new))
            counts["new"] += 1
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return counts


def baseline(path: Path) -> float:
    from django.db import connection

    cols = ", ".join(f"{c} text" for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE TABLE bench_copy ({cols})")
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            with (
                open(path, "rb") as f,
                cursor.cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER)") as cp,
            ):
                while chunk := f.read(1 << 20):
                    cp.write(chunk)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            with open(path, encoding="utf-8", newline="") as f:
                reader = csv.reader(f)
                next(reader)
                batch = []
                for row in reader:
                    batch.append(row)
                    if len(batch) >= 5000:
                        cursor.executemany(f"INSERT INTO bench_copy VALUES ({marks})", batch)  # noqa: S608
                        batch = []
                if batch:
                    cursor.executemany(f"INSERT INTO bench_copy VALUES ({marks})", batch)  # noqa: S608
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def practice_lines(path: Path, code: str) -> Path:
    """The practice's own rows of the big file, as its own 300-row extract (the probe uploads it)."""
    with open(path, encoding="utf-8", newline="") as f:
        header = f.readline()
        rows = [line for line in f if line.startswith(code + ",")]
    out = path.with_name(f"practice-{code}.csv")
    out.write_text(header + "".join(rows), encoding="utf-8")
    return out


def probe_start(practice_file: Path, code: str, user_id: int, stop: Path):
    import subprocess
    import sys

    stop.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "bench.healthchecks_probe",
        "--stop-file",
        str(stop),
        "--practice-file",
        str(practice_file),
        "--practice",
        code,
        "--user",
        str(user_id),
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def probe_end(process, stop: Path) -> dict:
    import json

    stop.touch()
    out, _ = process.communicate(timeout=120)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def timed_import(path: Path, what: str, probe=None) -> tuple:
    from joinedup.healthchecks.registers import import_register

    running = probe_start(*probe) if probe else None
    if running:
        time.sleep(2)  # the probe's Django is up and its first worklist asked before the import starts
    with step(what):
        started = time.perf_counter()
        with open(path, "rb") as f:
            outcome = import_register(f, filename=path.name)
        seconds = time.perf_counter() - started
    seen = probe_end(running, probe[3]) if running else {}
    return outcome, seconds, seen


def outreach_user() -> int:
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Team, TeamKind

    team = Team.objects.filter(kind=TeamKind.OUTREACH, organisation__code__icontains="calico").first()
    team = team or Team.objects.filter(kind=TeamKind.OUTREACH).order_by("code").first()
    return staff_create(
        username="bench.probe", first_name="Pat", last_name="Probe", memberships=[(team, Role.OUTREACH_WORKER)]
    ).pk


def settle(postgres: bool) -> None:
    """Between imports, what autovacuum does on a production server (it is off on some development servers): vacuum
    the tables the last import filled, so the next import does not pay for setting the hint bits of a million rows
    it only reads. Not timed."""
    if not postgres:
        return
    from django.db import connection

    with step("VACUUM ANALYZE, as autovacuum would between imports"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_person, healthchecks_registerentry, core_timelineentry")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--size", type=int, help="rows (default 100,000; 1,000,000 with --full)")
    parser.add_argument("--first-only", action="store_true", help="P1a only")
    args = parser.parse_args(argv)
    size = args.size or (1_000_000 if args.full else 100_000)
    setup_django()
    prepare_database()
    from joinedup.directory.models import OutreachCoverage, Practice

    vendor = backend()
    postgres = vendor == "postgresql"
    var = Path(os.environ["JOINEDUP_VAR_DIR"])
    path = var / "register.csv"
    covered = OutreachCoverage.objects.values("locality_id")
    small = Practice.objects.filter(locality_id__in=covered).order_by("ods_code").values_list("ods_code", flat=True)[3]
    with step(f"make a {size:,}-row register file"):
        make_file(path, size, small_practice=small)
    probe = (practice_lines(path, small), small, outreach_user(), var / "probe.stop") if postgres else None
    megabytes = path.stat().st_size / 1e6
    label = "COPY into an unindexed table" if postgres else "csv module + executemany into an unindexed table"
    with step(f"baseline: {label}"):
        base = baseline(path)
    outcome, seconds, seen = timed_import(path, "P1a: import_register, every person new", probe)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  {outcome.rows:,} rows, {outcome.added:,} added, {outcome.rejected:,} rejected; "
        f"import {seconds:.1f} s, baseline {base:.1f} s, peak memory {peak_mb:.0f} MB; beside it {seen}",
        flush=True,
    )
    results = [
        _result(
            "P1a",
            seconds,
            base,
            outcome,
            seen,
            size=size,
            vendor=vendor,
            peak_mb=peak_mb,
            file_mb=megabytes,
            limit=30 if postgres else None,
        )
    ]
    if not args.first_only:
        settle(postgres)
        with step(f"baseline again: {label}"):
            base_b = baseline(path)
        outcome, seconds, seen = timed_import(path, "P1b: the same file again", probe)
        results.append(_result("P1b", seconds, base_b, outcome, seen, size=size, vendor=vendor, limit=5))
        later = var / "register-month-later.csv"
        with step("make the next month's file"):
            counts = month_later(path, later)
        settle(postgres)
        with step(f"baseline: {label} (next month's file)"):
            base_c = baseline(later)
        outcome, seconds, seen = timed_import(later, "P1c: a month later", probe)
        results.append(_result("P1c", seconds, base_c, outcome, seen, size=size, vendor=vendor, limit=8, **counts))
    for result in results:
        emit(result)


def _result(name, seconds, base, outcome, seen, *, size, vendor, limit, peak_mb=None, file_mb=None, **extra):
    uploads = seen.get("uploads") or []
    slowest = max((u["s"] for u in uploads), default=None)
    worklist_p95 = seen.get("worklist_p95_ms")
    if vendor == "postgresql":
        target = f"<= {limit}x COPY" + (", peak memory <= 500 MB" if peak_mb is not None else "")
        target += "; beside it worklist p95 <= 100 ms, a 300-row upload <= 2 s"
        met = seconds <= limit * base and (peak_mb is None or peak_mb <= 500)
        met = met and worklist_p95 is not None and worklist_p95 <= 100 and slowest is not None and slowest <= 2
    else:
        target, met = "<= 90 s on SQLite", seconds <= 90
    result = {
        "id": name,
        "figure": round(seconds, 1),
        "unit": "s",
        "baseline": "COPY of the same file into an unindexed table"
        if vendor == "postgresql"
        else "csv module + executemany of the same file into an unindexed table",
        "baseline_figure": round(base, 2),
        "ratio": ratio(seconds, base),
        "target": target,
        "met": met if size >= 1_000_000 else None,
        "size": size,
        "backend": vendor,
        "rows": outcome.rows,
        "added": outcome.added,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "left": outcome.left,
        "rejected": outcome.rejected,
        "rows_per_s": round(outcome.rows / seconds),
        "worklist_p95_ms": worklist_p95,
        "worklist_calls": seen.get("worklist_calls"),
        "uploads": len(uploads),
        "slowest_upload_s": slowest,
        **extra,
    }
    if peak_mb is not None:
        result["peak_memory_mb"] = round(peak_mb)
    if file_mb is not None:
        result["file_mb"] = round(file_mb, 1)
    return result


if __name__ == "__main__":
    main()
