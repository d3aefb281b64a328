"""python -m bench [--id P3|P5|P6] [--full]

Runs each benchmark in its own process, in a scratch environment (temporary JOINEDUP_VAR_DIR and an empty
database, see common.scratch_environment). Each benchmark ends with one JSON line: those lines go to standard
output and everything else (progress, detail, the summary) to standard error, so `python -m bench > out.jsonl`
keeps just the results. The exit status is non-zero only when a benchmark failed to run, not when a target is
missed: the figures are for reading, and machines are noisy.
"""

import argparse
import json
import subprocess
import sys
import time

from .common import BASE_DIR, scratch_environment

BENCHMARKS = {
    "P3": ("bench.p3_record", "a person's record page: 1,000 timeline entries, 30 care team members"),
    "P5": ("bench.p5_search", "search by name and date of birth over many people"),
    "P6": ("bench.p6_memory", "the demo server at rest: resident memory"),
    "P1": ("bench.healthchecks_p1", "import an SMI register extract against a plain COPY of the same file"),
    "P2": ("bench.healthchecks_p2", "first page of an outreach provider's worklist against hand-written SQL"),
    "C4-caseload": ("bench.care_caseload", "a key worker's caseload page with 200 people"),
    "C4-compare": ("bench.care_compare", "two versions of a care plan of 100 actions compared"),
    "PS1": ("bench.peersupport_directory", "community directory search over 5,000 offers"),
    "C5": ("bench.primarycare_caseload", "an MHP caseload page with 300 people"),
    "P7": ("bench.fhir_p7", "FHIR Patient read, search by NHS number and ingest through gunicorn with wrk"),
    "P7-export": ("bench.fhir_export", "FHIR system $export of people with their health check Observations"),
    "P9": ("bench.reporting_p9", "a report page from the reporting store and a refresh, against hand-written SQL"),
    "P4": ("bench.p4_load", "50 simulated staff for 60 s against make serve, with a trivial view as baseline"),
    "A1": ("bench.ops_audit", "who has looked and the IG audit search over a large, partitioned audit trail"),
    "EMDT": ("bench.emdt", "EMDT triage queue and meeting agenda over a region with 50,000 requests"),
    "J1": ("bench.my_tasks", "My tasks with 500 open tasks from every service"),
    "PORTAL": ("bench.portal", "the person's home and who has looked: 10,000 own audit events in a large audit table"),
    "M1": ("bench.messaging_notify", "reminders through the outbox to the Notify stand-in against a bare loop"),
    "M2": ("bench.messaging_mesh", "practice files out and in through mesh-sandbox against bare mesh-client calls"),
}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(benchmark_id: str, full: bool, extra: list[str]) -> dict | None:
    module, what = BENCHMARKS[benchmark_id]
    say(f"{benchmark_id}: {what} ({'full' if full else 'quick'} size)")
    started = time.perf_counter()
    with scratch_environment() as env:
        command = [sys.executable, "-m", module, *(["--full"] if full else []), *extra]
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True, bufsize=1)
        last = None
        for line in process.stdout:
            if line.startswith("{"):
                last = line
                print(line, end="", flush=True)
            else:
                say(line.rstrip("\n"))
        process.wait()
    say(f"{benchmark_id}: finished in {time.perf_counter() - started:.0f} s")
    if process.returncode != 0 or last is None:
        say(f"{benchmark_id}: FAILED (exit status {process.returncode})")
        return None
    return json.loads(last)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--id", choices=sorted(BENCHMARKS), action="append", help="run only this benchmark")
    parser.add_argument("--full", action="store_true", help="the full size (default: a quick size)")
    parser.add_argument("--verbose", action="store_true", help="show more detail, e.g. the SQL a page runs")
    args = parser.parse_args(argv)
    extra = ["--verbose"] if args.verbose else []
    results, failed = [], []
    for benchmark_id in args.id or sorted(BENCHMARKS):
        result = run(benchmark_id, args.full, extra)
        if result is None:
            failed.append(benchmark_id)
        else:
            results.append(result)
    if len(results) > 1:
        say("\nSummary")
        for r in results:
            met = {True: "met", False: "NOT met", None: "no target"}[r.get("met")]
            say(
                f"  {r['id']}: {r['figure']} {r['unit']} (baseline {r['baseline_figure']} {r['unit']}, "
                f"ratio {r['ratio']}); target {r['target']}: {met}"
            )
    if failed:
        say(f"Failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
