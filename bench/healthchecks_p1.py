"""P1: import a 1,000,000-row SMI register extract. Targets: on PostgreSQL <= 3x a plain COPY of the same file into
an unindexed table, peak memory <= 500 MB; on SQLite <= 90 s.

The file is made first (synthetic rows across every practice of the region, NHS numbers from the 999 test range,
a few rows with problems), then the baseline is measured in the same run: on PostgreSQL `COPY ... FROM STDIN
WITH (FORMAT csv, HEADER)` of the file into a fresh table of text columns with no index; on SQLite, where there is
no COPY, the csv module and executemany into such a table. Then the import itself runs through
`joinedup.healthchecks.registers.import_register`, the function the command and the upload page call, into an
empty register (every person new: the heaviest case). Peak memory is the process's maximum resident set size
after the import (ru_maxrss), which includes Django itself.
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


def make_file(path: Path, rows: int) -> None:
    import random

    from joinedup.directory.models import OutreachCoverage, Practice

    rng = random.Random(SEED)
    covered = OutreachCoverage.objects.values("locality_id")
    codes = list(Practice.objects.filter(locality_id__in=covered).values_list("ods_code", flat=True))
    given = ["Alex", "Sam", "Jordan", "Chris", "Zoë", "Siân", "Róisín", "Jamie"]
    family = ["Holt", "Marsh", "O'Neill", "Brontë", "Calder", "Wyre", "Pendle", "Ribble"]
    formats = ["{y}-{m:02d}-{d:02d}", "{d:02d}/{m:02d}/{y}", "{d} March {y}"]
    numbers = nhs_numbers()
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for i in range(rows):
            y = rng.randint(1940, 2005)
            born = formats[i % 3].format(y=y, m=rng.randint(1, 12), d=rng.randint(1, 28))
            check = f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            full = rng.random() < 0.4
            w.writerow(
                [
                    codes[i % len(codes)],
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--size", type=int, help="rows (default 100,000; 1,000,000 with --full)")
    args = parser.parse_args(argv)
    size = args.size or (1_000_000 if args.full else 100_000)
    setup_django()
    prepare_database()
    vendor = backend()
    path = Path(os.environ["JOINEDUP_VAR_DIR"]) / "register.csv"
    with step(f"make a {size:,}-row register file"):
        make_file(path, size)
    megabytes = path.stat().st_size / 1e6
    with step("baseline: " + ("COPY into an unindexed table" if vendor == "postgresql" else "executemany")):
        base = baseline(path)
    from joinedup.healthchecks.registers import import_register

    with step("import_register"):
        started = time.perf_counter()
        with open(path, "rb") as f:
            outcome = import_register(f, filename=path.name)
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  {outcome.rows:,} rows, {outcome.added:,} added, {outcome.rejected:,} rejected; "
        f"import {seconds:.1f} s, baseline {base:.1f} s, peak memory {peak_mb:.0f} MB",
        flush=True,
    )
    if vendor == "postgresql":
        target, met = "<= 3x COPY on PostgreSQL, peak memory <= 500 MB", seconds <= 3 * base and peak_mb <= 500
    else:
        target, met = "<= 90 s on SQLite", seconds <= 90
    emit(
        {
            "id": "P1",
            "figure": round(seconds, 1),
            "unit": "s",
            "baseline": "COPY of the same file into an unindexed table"
            if vendor == "postgresql"
            else "csv module + executemany of the same file into an unindexed table",
            "baseline_figure": round(base, 1),
            "ratio": ratio(seconds, base),
            "target": target,
            "met": met if size >= 1_000_000 else None,
            "size": size,
            "backend": vendor,
            "file_mb": round(megabytes, 1),
            "peak_memory_mb": round(peak_mb),
            "added": outcome.added,
            "rejected": outcome.rejected,
            "rows_per_s": round(size / seconds),
        }
    )


if __name__ == "__main__":
    main()
