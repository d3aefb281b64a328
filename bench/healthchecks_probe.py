"""The other users while P1 imports a large register: run beside it in a process of its own (as a web worker would
be), until the stop file appears. Asks for an outreach worker's first worklist page again and again, and every few
seconds imports one practice's 300-row file (a few rows changed each time), as the upload page does. Prints one JSON
line: the worklist's times and each upload's time.
"""

import argparse
import io
import json
import os
import time
from pathlib import Path

from .common import percentile, setup_django

UPLOAD_EVERY_S = 5.0
WORKLIST_EVERY_S = 0.2


def practice_file(lines: list[str], header: str, changed: int) -> bytes:
    """The practice's rows with the BMI date of `changed` of them moved on a day, so each upload has work to do."""
    out = [header]
    for i, line in enumerate(lines):
        if i < changed:
            cells = line.split(",")
            cells[11] = f"2025-06-{1 + (i + int(time.time())) % 28:02d}"
            line = ",".join(cells)
        out.append(line)
    return ("\n".join(out) + "\n").encode()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--practice-file", required=True)
    parser.add_argument("--practice", required=True)
    parser.add_argument("--user", type=int, required=True)
    args = parser.parse_args(argv)
    setup_django()
    from joinedup.accounts.models import User
    from joinedup.healthchecks.queries import Scope, worklist
    from joinedup.healthchecks.registers import import_register

    header, *lines = Path(args.practice_file).read_text().splitlines()
    stop = Path(args.stop_file)
    first = User.objects.get(pk=args.user)
    team = next(m.team for m in first.active_memberships if m.team.organisation_id)
    scope = Scope("provider", team.organisation_id, team.organisation.name)
    worklist_s, uploads = [], []
    next_upload = time.monotonic() + 1.0
    while not stop.exists():
        started = time.perf_counter()
        rows, _ = worklist(by=User.objects.get(pk=args.user), scope=scope)
        worklist_s.append(time.perf_counter() - started)
        if time.monotonic() >= next_upload:
            content = practice_file(lines, header, changed=30)
            started = time.perf_counter()
            outcome = import_register(io.BytesIO(content), filename="practice.csv", practice_code=args.practice)
            uploads.append(
                {
                    "s": round(time.perf_counter() - started, 3),
                    "added": outcome.added,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                    "refused": outcome.refused,
                }
            )
            next_upload = time.monotonic() + UPLOAD_EVERY_S
        time.sleep(WORKLIST_EVERY_S)
    print(
        json.dumps(
            {
                "worklist_calls": len(worklist_s),
                "worklist_p95_ms": round(percentile(worklist_s, 95) * 1000, 1) if worklist_s else None,
                "worklist_max_ms": round(max(worklist_s) * 1000, 1) if worklist_s else None,
                "uploads": uploads,
                "pid": os.getpid(),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
