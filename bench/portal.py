"""PORTAL: the person's home page and "who has looked at my record", for a person with 1,000 timeline entries and
10,000 audit events, in an audit table of 10,000,000 rows (--full; the quick size fills 1,000,000).

Target: p95 <= 100 ms for each page, against GET /health (a trivial view) through the same client in the same run.

The person is built through the services (person_register, care_team_add, timeline_add); their own 10,000 audit
events and the rest of the audit table are bulk-inserted in SQL (generate_series on PostgreSQL), spread over 200
other people and many staff sign-ins, as a busy region's trail would be. Requests go through django.test.Client
with the person's own portal session (made as the NHS login callback makes it: the sign-in itself is not timed).
Each page view writes its own audit row, as in real use.
"""

import argparse
import datetime as dt
import time

from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 100
ENTRIES = 1000
OWN_AUDIT = 10_000
OTHER_PEOPLE = 200
WARM_UP = 20
CPU = {}  # url -> CPU times of this process (steadier than wall time on a loaded machine)


def build_person():
    from django.db import transaction
    from django.utils import timezone

    from joinedup.accounts.roles import ConsentKind, Role
    from joinedup.accounts.services import staff_create
    from joinedup.care.services import care_team_add
    from joinedup.core.models import Service
    from joinedup.core.timeline import timeline_add
    from joinedup.directory.models import Practice, Team, TeamKind
    from joinedup.people.services import person_register

    practice = Practice.objects.filter(pcn__isnull=False).order_by("ods_code").first()
    gp_team = Team.objects.get(kind=TeamKind.PRACTICE, practice=practice)
    cmht = Team.objects.get(kind=TeamKind.COMMUNITY_MENTAL_HEALTH, locality=practice.locality)
    pcn_team = Team.objects.get(kind=TeamKind.PCN_MENTAL_HEALTH, pcn=practice.pcn)
    with transaction.atomic():
        gp = staff_create(
            username="bench.portal.gp",
            first_name="Gina",
            last_name="Practice",
            memberships=[(gp_team, Role.GP_PRACTICE_STAFF)],
        )
        worker = staff_create(
            username="bench.portal.kw",
            first_name="Kim",
            last_name="Worker",
            memberships=[(cmht, Role.COMMUNITY_CLINICIAN)],
        )
        mhp = staff_create(
            username="bench.portal.mhp", first_name="Mo", last_name="Network", memberships=[(pcn_team, Role.MHP)]
        )
        person = person_register(
            by=gp,
            nhs_number="9990000018",
            given_name="Alex",
            family_name="Portal",
            date_of_birth=dt.date(1980, 5, 17),
            postcode="FY1 3AB",
            practice=practice,
            consents={kind: True for kind in ConsentKind.values},
        )
        care_team_add(
            by=mhp, person=person, user=worker, organisation=worker.primary_organisation, role_title="Key worker",
            is_key_worker=True,
        )  # fmt: skip
        others = [
            person_register(
                by=gp,
                nhs_number=None,
                given_name="Other",
                family_name=f"Person{i:03d}",
                date_of_birth=dt.date(1970, 1, 1) + dt.timedelta(days=i),
                practice=practice,
                consents={"nhs": True},
            )
            for i in range(OTHER_PEOPLE)
        ]
        now = timezone.now()
        services = list(Service.values)
        for i in range(ENTRIES - person.timeline.count()):
            timeline_add(
                person=person,
                service=services[i % len(services)],
                kind="bench_event",
                summary=f"Benchmark event {i}: contact made",
                by=worker,
                at=now - dt.timedelta(hours=i + 1),
            )
    return person, worker, gp, others


def fill_audit(person, staff, others, total: int) -> None:
    """`OWN_AUDIT` events about the person, and the rest of `total` about the others, in SQL."""
    from django.db import connection

    other_ids = [p.pk for p in others]
    staff_ids = [u.pk for u in staff]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = """
                INSERT INTO core_auditevent (at, user_id, username, action, person_id, what, object_id, path, reason)
                SELECT now() - (g || ' seconds')::interval,
                       (%(staff)s::bigint[])[1 + g %% cardinality(%(staff)s::bigint[])],
                       'bench.staff', CASE WHEN g %% 10 = 0 THEN 'update' ELSE 'view' END,
                       %(person)s, 'record', '', '/people/', 'Viewed on the record page'
                FROM generate_series(1, %(own)s) AS g"""
            cursor.execute(sql, {"staff": staff_ids, "person": person.pk, "own": OWN_AUDIT})
            batch = 1_000_000
            done = OWN_AUDIT
            while done < total:
                n = min(batch, total - done)
                cursor.execute(
                    """
                    INSERT INTO core_auditevent (at, user_id, username, action, person_id, what, object_id, path,
                                                 reason)
                    SELECT now() - ((g * 7) || ' seconds')::interval,
                           (%(staff)s::bigint[])[1 + g %% cardinality(%(staff)s::bigint[])],
                           'bench.staff', 'view', (%(others)s::bigint[])[1 + g %% cardinality(%(others)s::bigint[])],
                           'record', '', '/people/', 'Viewed on the record page'
                    FROM generate_series(%(start)s, %(end)s) AS g""",
                    {"staff": staff_ids, "others": other_ids, "start": done, "end": done + n - 1},
                )
                done += n
                print(f"  audit rows: {done:,} of {total:,}", flush=True)
            cursor.execute("ANALYZE core_auditevent")
        else:
            from joinedup.core.models import AuditEvent

            rows = [
                AuditEvent(user_id=staff_ids[i % len(staff_ids)], username="bench.staff", action="view",
                           person_id=person.pk if i < OWN_AUDIT else other_ids[i % len(other_ids)], what="record",
                           reason="Viewed on the record page")
                for i in range(total)
            ]  # fmt: skip
            AuditEvent.objects.bulk_create(rows, batch_size=5000)


def portal_client(person):
    import time as _time

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    from joinedup.portal.models import PortalAccount

    account = PortalAccount.objects.create(
        sub="bench-person", nhs_number=person.nhs_number, birthdate=person.date_of_birth, person=person
    )
    store = SessionStore()
    store.update({"account": account.pk, "person": person.pk, "grant": None, "choices": [], "last_seen": _time.time()})
    store.set_expiry(settings.PORTAL_IDLE_SECONDS)
    store.save()
    client = Client()
    client.cookies[settings.PORTAL_SESSION_COOKIE] = store.session_key
    client.cookies[settings.PORTAL_SESSION_COOKIE]["path"] = "/my/"
    return client


def time_requests(client, url: str, n: int):
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200, url
    times, cpu = [], []
    for _ in range(n):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        assert response.status_code == 200, (url, response.status_code)
    CPU[url] = cpu
    return times


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--audit-rows", type=int, help="size of the audit table (default 10,000,000 full, 1,000,000)")
    args = parser.parse_args(argv)
    total = args.audit_rows or (10_000_000 if args.full else 1_000_000)
    requests = 300 if args.full else 100

    setup_django()
    prepare_database()
    from joinedup.core.models import AuditEvent

    with step(f"build a person with {ENTRIES:,} timeline entries and {OTHER_PEOPLE} other people"):
        person, worker, gp, others = build_person()
    with step(f"fill the audit table to {total:,} rows ({OWN_AUDIT:,} about the person)"):
        fill_audit(person, [worker, gp], others, total)
    rows = AuditEvent.objects.count() if total <= 1_000_000 else total
    client = portal_client(person)
    timings = {}
    for page, url in (
        ("home", "/my/"),
        ("who_looked", "/my/who-has-looked/"),
        ("who_looked_p20", "/my/who-has-looked/?page=20"),
    ):
        with step(f"{requests} requests for {url}"):
            timings[page] = time_requests(client, url, requests)
    with step(f"{requests} requests for /health (baseline)"):
        timings["health"] = time_requests(client, "/health", requests)
    for page, times in timings.items():
        print(f"  {page}: p50 {ms(percentile(times, 50))} ms, p95 {ms(percentile(times, 95))} ms", flush=True)
    p95 = {page: percentile(times, 95) for page, times in timings.items()}
    emit(
        {
            "id": "PORTAL",
            "figure": ms(max(p95["home"], p95["who_looked"])),
            "unit": "ms",
            "baseline": "GET /health (trivial view) through the same client and middleware",
            "baseline_figure": ms(p95["health"]),
            "ratio": ratio(max(p95["home"], p95["who_looked"]), p95["health"]),
            "target": f"p95 <= {TARGET_MS} ms for the home page and who has looked",
            "met": p95["home"] <= TARGET_MS / 1000 and p95["who_looked"] <= TARGET_MS / 1000,
            "home_p95": ms(p95["home"]),
            "who_looked_p95": ms(p95["who_looked"]),
            "who_looked_page_20_p95": ms(p95["who_looked_p20"]),
            "timeline_entries": ENTRIES,
            "person_audit_events": OWN_AUDIT,
            "audit_rows": rows,
            "requests": requests,
            "backend": backend(),
            "home_cpu_p95": ms(percentile(CPU["/my/"], 95)),
            "who_looked_cpu_p95": ms(percentile(CPU["/my/who-has-looked/"], 95)),
            "health_cpu_p95": ms(percentile(CPU["/health"], 95)),
        }
    )


if __name__ == "__main__":
    main()
