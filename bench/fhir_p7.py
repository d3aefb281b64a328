"""P7: the FHIR API under load, through gunicorn on loopback, with wrk (Debian's) as the load generator.

Scenarios, each against the same server and the same wrk settings (8 connections, 2 wrk threads):
- baseline: `/health`, the trivial view (one `SELECT 1` through the whole middleware stack);
- Patient read by id (`/fhir/R4/Patient/<id>`, ids drawn at random from the practice's people), every read audited;
- Patient search by NHS number (`/fhir/R4/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|N`), audited;
- ingest: transaction Bundles of 1,000 new Patients, sent by 8 concurrent Python clients (wrk does not send
  bodies this size well), Patients per second over the whole run.
Throughput is wrk's requests per second; p95 comes from wrk's own latency histogram (a Lua `done` hook).
gunicorn runs with the production settings (joinedup/config/gunicorn.py: two workers per CPU plus one, as deployed;
WEB_CONCURRENCY overrides) and a 900 s timeout, so a slow Bundle on a loaded machine is never killed into a 500.

Quick size (default): 2,000 people, 10 s per scenario, 4 ingest bundles. --full: 20,000 people, 60 s per
scenario, 16 bundles (issue 12 item 8 asks for 60 s). Targets (issue 12): read >= 350/s and at least half the
trivial view's rate, search >= 250/s, ingest >= 1,000 Patients/s. The $export target (1,000,000 people) is
bench/fhir_export.py (P7-export). The machine these figures come from is shared: the load average is in the JSON line.
"""

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("JOINEDUP_FHIR_ACCESS_TOKEN_SECONDS", "7200")  # one token lasts the whole run

from .common import BASE_DIR, backend, emit, prepare_database, ratio, setup_django, step  # noqa: E402

SEED = 2026
CONNECTIONS = 8
LUA = """
local paths = {%s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Authorization"] = "Bearer %s"})
end
done = function(summary, latency, requests)
  io.write(string.format("P95_US %%d\\n", latency:percentile(95.0)))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def public_keys() -> dict:
    """A key pair made for this run only; the bench never signs an assertion, it takes a token directly."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return {"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key)), "kid": "bench-1", "alg": "RS384"}]}


def make_client(practice):
    """The practice's system client with read and write scopes, and a token for it."""
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Organisation, Team, TeamKind
    from joinedup.fhir.services import access_token_issue, system_client_register

    admin = staff_create(
        username="bench.admin",
        first_name="Bench",
        last_name="Admin",
        memberships=[(Team.objects.filter(kind=TeamKind.ADMINISTRATION).first(), Role.ADMINISTRATOR)],
    )
    scopes = "system/Patient.read system/Patient.write"
    client = system_client_register(
        by=admin,
        organisation=Organisation.objects.get(code=practice.ods_code),
        name="Bench practice system",
        role=Role.GP_PRACTICE_STAFF,
        jwks=public_keys(),
        scopes=scopes,
    )
    token, _ = access_token_issue(client=client, scope=scopes)
    return client, token


def wrk(url: str, paths: list[str], token: str, seconds: int) -> dict:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA % (", ".join(json.dumps(p) for p in paths), token))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p95 = int(re.search(r"P95_US (\d+)", out)[1]) / 1000
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": round(rps, 1), "p95_ms": round(p95, 2), "non_2xx": int(errors[1]) if errors else 0}


def nhs(n: int) -> str:
    base = f"9997{n:05d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(base))
    check = (11 - total % 11) % 11
    return base + str(check) if check != 10 else ""


def ingest(base: str, token: str, bundles: int, size: int, taken: set[str]) -> dict:
    numbers = iter(n for n in (nhs(i) for i in range(100_000)) if n and n not in taken)

    def bundle():
        return {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "resource": {
                        "resourceType": "Patient",
                        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": next(numbers)}],
                        "name": [{"use": "official", "family": "Ingest", "given": [f"Person{i}"]}],
                        "gender": "unknown",
                        "birthDate": "1980-01-01",
                    },
                    "request": {"method": "POST", "url": "Patient"},
                }
                for i in range(size)
            ],
        }

    bodies = [json.dumps(bundle()).encode() for _ in range(bundles)]
    statuses, lock = [], threading.Lock()

    def send(body):
        request = urllib.request.Request(
            base,
            data=body,
            method="POST",
            headers={"Content-Type": "application/fhir+json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=600) as response, lock:  # noqa: S310 - loopback only
            statuses.append(response.status)

    started = time.perf_counter()
    for start in range(0, bundles, CONNECTIONS):
        threads = [threading.Thread(target=send, args=(b,)) for b in bodies[start : start + CONNECTIONS]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    elapsed = time.perf_counter() - started
    return {
        "patients_per_s": round(len(statuses) * size / elapsed, 1),
        "bundles_ok": statuses.count(200),
        "seconds": round(elapsed, 1),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    people, seconds, bundles = (20_000, 60, 16) if args.full else (2_000, 10, 4)
    setup_django()
    prepare_database()
    from joinedup.demo.synthetic import bulk_insert_people
    from joinedup.directory.models import Practice
    from joinedup.people.models import Person

    practice = Practice.objects.filter(pcn__isnull=False).order_by("ods_code").first()
    with step(f"insert {people:,} people at {practice.ods_code}"):
        bulk_insert_people(count=people, seed=SEED, practices=[practice])
    client, token = make_client(practice)
    from joinedup.core.access import visible_people

    visible = list(visible_people(client.user).exclude(nhs_number=None).values_list("pk", "nhs_number")[:5000])
    rng = random.Random(SEED)
    sample = rng.sample(visible, min(500, len(visible)))
    port = free_port()
    # The production settings (joinedup/config/gunicorn.py: two workers per CPU plus one), on a port of its own,
    # with a timeout long enough for a Bundle on a loaded machine.
    workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1))
    env = dict(
        os.environ,
        DJANGO_DEBUG="false",
        JOINEDUP_BIND=f"127.0.0.1:{port}",
        JOINEDUP_WORKER_TIMEOUT="900",
        WEB_CONCURRENCY=str(workers),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:joinedup.config.gunicorn", "joinedup.config.wsgi"],
        cwd=BASE_DIR,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/health", timeout=2)  # noqa: S310 - loopback only
                break
            except OSError:
                time.sleep(0.3)
        with step(f"trivial view, {seconds} s"):
            trivial = wrk(url, ["/health"], token, seconds)
        with step(f"Patient read, {seconds} s"):
            read = wrk(url, [f"/fhir/R4/Patient/{pk}" for pk, _ in sample], token, seconds)
        system = "https://fhir.nhs.uk/Id/nhs-number"
        with step(f"Patient search by NHS number, {seconds} s"):
            search = wrk(url, [f"/fhir/R4/Patient?identifier={system}%7C{n}" for _, n in sample], token, seconds)
        with step(f"ingest {bundles} transaction Bundles of 1,000 Patients"):
            taken = set(Person.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True))
            loaded = ingest(f"{url}/fhir/R4/", token, bundles, 1000, taken)
    finally:
        server.terminate()
        server.wait(timeout=30)
    audited = Person.objects.count()
    emit(
        {
            "id": "P7",
            "backend": backend(),
            "figure": read["rps"],
            "unit": "Patient reads/s",
            "baseline_figure": trivial["rps"],
            "ratio": ratio(read["rps"], trivial["rps"]),
            "target": ">= 350/s and >= 0.5 of the trivial view; search >= 250/s; ingest >= 1,000 Patients/s",
            "met": read["rps"] >= 350
            and read["rps"] >= 0.5 * trivial["rps"]
            and search["rps"] >= 250
            and loaded["patients_per_s"] >= 1000,
            "trivial": trivial,
            "read": read,
            "search": search,
            "search_ratio": ratio(search["rps"], trivial["rps"]),
            "ingest": loaded,
            "people": people,
            "people_after": audited,
            "seconds_per_scenario": seconds,
            "connections": CONNECTIONS,
            "gunicorn_workers": workers,
        }
    )


if __name__ == "__main__":
    main()
