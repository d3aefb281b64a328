"""P2: the first page (50 rows) of an outreach provider's worklist over 600,000 register entries with contact history.
Target (issue 16 item 6): p95 <= 50 ms on PostgreSQL, and <= 3x hand-written SQL that applies the same access rule
(the membership join) in the same run.

The register is made with the import itself (bench.healthchecks_p1's synthetic file, so every person is new);
then a third of the people get one to three contact attempts and 5% an open claim (bulk inserts). The figure is
`joinedup.healthchecks.queries.worklist(by=..., scope=provider)`, the function the worklist page calls, for an
outreach worker of The Calico Group (read afresh for each call, as each request does, so the access filter is
built each time). The baseline, interleaved with it, is the same page written by hand in SQL: the register filter,
the access rule as the membership join (the person is on the current register of a provider whose outreach team
the user is an active member of), the order (never checked first, then the oldest check) and the latest contact's
date and open claim as correlated subqueries, LIMIT 51.
"""

import argparse
import datetime as dt
import os
import random
import time
from pathlib import Path

from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 50
TARGET_RATIO = 3
RUNS = 200
WARM_UP = 20

BASELINE_SQL = """
SELECT e.id, e.person_id, e.last_full_check, e.hard_to_reach, p.given_name, p.family_name, p.nhs_number,
       p.do_not_contact, pr.name,
       (SELECT c.worker_id FROM healthchecks_claim c WHERE c.person_id = e.person_id AND c.released_at IS NULL LIMIT 1),
       (SELECT a.at FROM healthchecks_contactattempt a WHERE a.person_id = e.person_id ORDER BY a.at DESC, a.id DESC
        LIMIT 1)
FROM healthchecks_registerentry e
JOIN people_person p ON p.id = e.person_id
JOIN directory_practice pr ON pr.id = e.practice_id
WHERE e.provider_id = %s AND e.left_on IS NULL AND e.remission_code = '' AND e.date_of_birth <= %s
  AND (e.last_full_check IS NULL OR e.last_full_check < %s)
  AND EXISTS (
    SELECT 1 FROM accounts_membership m
    JOIN directory_team t ON t.id = m.team_id AND t.kind = 'outreach'
    JOIN healthchecks_registerentry r ON r.provider_id = t.organisation_id
    WHERE m.user_id = %s AND m.ended IS NULL AND r.person_id = e.person_id AND r.left_on IS NULL)
ORDER BY e.last_full_check ASC NULLS FIRST, e.id
LIMIT 51
"""


def add_history(rng) -> tuple[int, int]:
    from django.utils import timezone

    from joinedup.accounts.models import User
    from joinedup.healthchecks.models import Claim, ContactAttempt, RegisterEntry

    staff = User.objects.get(username="bench.outreach")
    person_ids = list(RegisterEntry.objects.values_list("person_id", flat=True))
    now = timezone.now()
    contacts, claims = [], []
    for pid in person_ids:
        if rng.random() < 1 / 3:
            for _ in range(rng.randint(1, 3)):
                contacts.append(
                    ContactAttempt(
                        person_id=pid,
                        by=staff,
                        at=now - dt.timedelta(days=rng.randint(0, 700)),
                        method="phone",
                        outcome=rng.choice(["no_answer", "declined", "accepted"]),
                    )
                )
        if rng.random() < 0.05:
            claims.append(Claim(person_id=pid, worker=staff))
    ContactAttempt.objects.bulk_create(contacts, batch_size=5000)
    Claim.objects.bulk_create(claims, batch_size=5000)
    return len(contacts), len(claims)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--size", type=int, help="register entries (default 60,000; 600,000 with --full)")
    args = parser.parse_args(argv)
    size = args.size or (600_000 if args.full else 60_000)
    setup_django()
    prepare_database()
    from django.db import connection

    from joinedup.accounts.models import User
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Team, TeamKind
    from joinedup.healthchecks.queries import Scope, worklist
    from joinedup.healthchecks.registers import import_register
    from joinedup.healthchecks.rules import adult_born_on_or_before, cutoffs

    from .healthchecks_p1 import make_file

    vendor = backend()
    path = Path(os.environ["JOINEDUP_VAR_DIR"]) / "register.csv"
    with step(f"make and import a {size:,}-row register"):
        make_file(path, size)
        started = time.perf_counter()
        with open(path, "rb") as f:
            import_register(f, filename=path.name)
        import_seconds = time.perf_counter() - started
    team = Team.objects.filter(kind=TeamKind.OUTREACH, organisation__code__icontains="calico").first()
    team = team or Team.objects.filter(kind=TeamKind.OUTREACH).order_by("code").first()
    user_id = staff_create(
        username="bench.outreach", first_name="Owen", last_name="Outreach", memberships=[(team, Role.OUTREACH_WORKER)]
    ).pk
    rng = random.Random(2026)
    with step("contact history and claims"):
        n_contacts, n_claims = add_history(rng)
    if vendor == "postgresql":
        with step("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    today = dt.date.today()
    _, due = cutoffs(today)
    provider_id = team.organisation_id
    scope = Scope("provider", provider_id, team.organisation.name)
    app_times, sql_times = [], []
    with connection.cursor() as cursor:
        for i in range(RUNS + WARM_UP):
            by = User.objects.get(pk=user_id)
            timed = []
            for which in ("app", "sql") if i % 2 == 0 else ("sql", "app"):
                started = time.perf_counter()
                if which == "app":
                    rows, _ = worklist(by=by, scope=scope, today=today)
                    rows = [(r.family_name, r.practice_name) for r in rows]
                else:
                    cursor.execute(BASELINE_SQL, [provider_id, adult_born_on_or_before(today), due, user_id])
                    rows = cursor.fetchall()
                timed.append((which, time.perf_counter() - started, len(rows)))
            if i >= WARM_UP:
                for which, seconds, _ in timed:
                    (app_times if which == "app" else sql_times).append(seconds)
    if args.verbose and vendor == "postgresql":
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            worklist(by=User.objects.get(pk=user_id), scope=scope, today=today)
        for q in captured.captured_queries:
            print("   ", q["sql"][:3000], flush=True)
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                for (line,) in cursor.fetchall():
                    print("     ", line, flush=True)
    p95, base95 = percentile(app_times, 95), percentile(sql_times, 95)
    print(
        f"  worklist p50 {ms(percentile(app_times, 50))} ms, p95 {ms(p95)} ms; hand-written SQL p50 "
        f"{ms(percentile(sql_times, 50))} ms, p95 {ms(base95)} ms",
        flush=True,
    )
    emit(
        {
            "id": "P2",
            "figure": ms(p95),
            "unit": "ms",
            "baseline": "hand-written SQL of the same page with the access rule as a membership join, LIMIT 51",
            "baseline_figure": ms(base95),
            "ratio": ratio(p95, base95),
            "target": f"p95 <= {TARGET_MS} ms and ratio <= {TARGET_RATIO} on PostgreSQL",
            "met": (p95 <= TARGET_MS / 1000 and p95 <= TARGET_RATIO * base95) if vendor == "postgresql" else None,
            "size": size,
            "backend": vendor,
            "runs": RUNS,
            "p50": ms(percentile(app_times, 50)),
            "baseline_p50": ms(percentile(sql_times, 50)),
            "contact_attempts": n_contacts,
            "open_claims": n_claims,
            "import_s": round(import_seconds, 1),
        }
    )


if __name__ == "__main__":
    main()
