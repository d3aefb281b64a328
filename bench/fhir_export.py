"""P7 $export: a system-level Bulk Data export of people with their health check Observations.

Seeds N people at one practice (bulk_insert_people) and one health check each with nine coded elements
(bulk_create, 5,000 rows a batch), registers the practice's system client, then runs the export job in this
process exactly as the task worker does (`bulk.run`): Patient and Observation NDJSON files, every person audited.
The figure is resources written per second; peak memory is the highest resident set size of this process
while the export runs (sampled every 50 ms from /proc/self/status), with the size before it started beside it.

Issue 12's target: 1,000,000 people at >= 20,000 resources/s and <= 500 MB. Quick size: 20,000 people; --full:
1,000,000; --people N for anything between. With --reuse (run directly, not through `python -m bench`, with
DATABASE_URL naming a database of your own) the people and checks seeded by an earlier run are used again.
"""

import argparse
import datetime as dt
import os
import random
import threading
import time
from decimal import Decimal

from .common import emit, prepare_database, setup_django, step

SEED = 2027
BATCH = 5000


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory:
    """The highest resident set size seen while the block runs."""

    def __enter__(self):
        self.peak, self.running = rss_mb(), True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def _watch(self):
        while self.running:
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.05)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_mb())


def seed_checks(practice, by, count: int) -> int:
    """One health check for each person at the practice without one, with nine coded elements."""
    from django.db import transaction

    from joinedup.healthchecks.models import HealthCheck, SmokingStatus
    from joinedup.people.models import Person

    rng = random.Random(SEED)
    ids = list(
        Person.objects.filter(practice=practice)
        .exclude(pk__in=HealthCheck.objects.values("person_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    today = dt.date(2026, 11, 2)
    for start in range(0, len(ids), BATCH):
        rows = [
            HealthCheck(
                person_id=pk,
                done_on=today - dt.timedelta(days=rng.randrange(300)),
                by=by,
                height_cm=Decimal("170.0"),
                weight_kg=Decimal(rng.randrange(550, 1200)) / 10,
                bmi=Decimal(rng.randrange(190, 400)) / 10,
                systolic=rng.randrange(100, 160),
                diastolic=rng.randrange(60, 100),
                hba1c=rng.randrange(30, 70),
                total_cholesterol=Decimal(rng.randrange(30, 80)) / 10,
                hdl_cholesterol=Decimal(rng.randrange(8, 25)) / 10,
                smoking=rng.choice([SmokingStatus.CURRENT, SmokingStatus.EX]),
                alcohol_units=rng.randrange(0, 30),
                full=True,
            )
            for pk in ids[start : start + BATCH]
        ]
        with transaction.atomic():
            HealthCheck.objects.bulk_create(rows)
    return len(ids)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--people", type=int)
    parser.add_argument("--reuse", action="store_true", help="use the people and checks an earlier run seeded")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    people = args.people or (1_000_000 if args.full else 20_000)
    setup_django()
    from django.conf import settings
    from django.db import connection

    from joinedup.demo.synthetic import bulk_insert_people
    from joinedup.directory.models import Practice
    from joinedup.fhir import bulk
    from joinedup.fhir.models import ExportJob, SystemClient
    from joinedup.fhir.services import export_job_create
    from joinedup.people.models import Person

    from .fhir_p7 import make_client

    seeded = "directory_practice" in connection.introspection.table_names() and Practice.objects.exists()
    if not args.reuse or not seeded:
        prepare_database()
    practice = Practice.objects.filter(pcn__isnull=False).order_by("ods_code").first()
    have = Person.objects.filter(practice=practice).count()
    if have < people:
        with step(f"insert {people - have:,} people at {practice.ods_code}"):
            bulk_insert_people(count=people - have, seed=SEED, start=have, practices=[practice])
    client = SystemClient.objects.filter(name="Bench practice system").first()
    if client is None:
        client, _ = make_client(practice)
    with step("one health check each"):
        seed_checks(practice, client.user, people)
    settings.FHIR_EXPORT_DIR = os.path.join(os.environ["JOINEDUP_VAR_DIR"], "exports")
    job = export_job_create(
        client=client, level="system", group="", types=["Patient", "Observation"], since=None, url="bench $export"
    )
    before = rss_mb()
    with step(f"system $export of {people:,} people"), PeakMemory() as memory:
        started = time.perf_counter()
        bulk.run(job.pk)
        seconds = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != ExportJob.Status.DONE:
        raise SystemExit(f"The export did not finish: {job.status} {job.error}")
    written = {o["type"]: o["count"] for o in job.output}
    total = sum(written.values())
    size = sum(f.stat().st_size for f in bulk.job_dir(job).iterdir())
    rate = round(total / seconds, 1)
    emit(
        {
            "id": "P7-export",
            "backend": "postgresql" if "postgres" in os.environ["DATABASE_URL"] else "sqlite",
            "figure": rate,
            "unit": "resources/s",
            "baseline": None,
            "target": ">= 20,000 resources/s, <= 500 MB, 1,000,000 people",
            "met": rate >= 20_000 and memory.peak <= 500 and people >= 1_000_000,
            "people": people,
            "resources": written,
            "seconds": round(seconds, 1),
            "peak_rss_mb": round(memory.peak, 1),
            "rss_before_mb": round(before, 1),
            "ndjson_mb": round(size / 1e6, 1),
        }
    )


if __name__ == "__main__":
    main()
