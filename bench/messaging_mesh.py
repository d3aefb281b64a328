"""M2: practice files out and in through MESH (mesh-client against mesh-sandbox on loopback), against bare
mesh-client calls moving the same bytes, in the same run.

Out: N files (500 at full size, 50 quick) queued to a practice's mailbox and sent by mesh_exchange (claim, send
with a workflow id and local id, mark accepted, each in its own transaction). In: N register extracts (3 rows
each) sent by the practice, read by mesh_exchange (retrieve, import through the health check service's import,
queue and send the outcome back, acknowledge). Baseline: the same N sends, and N retrieve + acknowledge of the
same files, with the bare client and no database.
"""

import argparse
import os
import tempfile
import time

from .common import emit, prepare_database, ratio, setup_django, step


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    n = 500 if args.full else 50
    os.environ["JOINEDUP_MESSAGING_SEND_ON_COMMIT"] = "false"
    setup_django()
    from django.conf import settings
    from mesh_client import MeshClient

    from joinedup.directory.models import Practice
    from joinedup.healthchecks.tests.helpers import register_file, row
    from joinedup.messaging.mesh import mesh_exchange, transfer_queue
    from joinedup.messaging.models import PracticeMailbox, Transfer
    from standins.mesh import MeshSandbox

    prepare_database()
    sandbox = MeshSandbox(workdir=tempfile.mkdtemp(), mailboxes=["JOINEDUP01", "PRACTICE01"]).start()
    settings.MESH_URL, settings.MESH_MAILBOX = sandbox.url, "JOINEDUP01"
    settings.MESH_PASSWORD, settings.MESH_SHARED_KEY = sandbox.password, sandbox.shared_key
    practice = Practice.objects.order_by("ods_code").first()
    PracticeMailbox.objects.create(practice=practice, mailbox_id="PRACTICE01")
    content = (
        "nhs_number,date,snomed_code,description,value,unit\r\n"
        + "9990000018,2027-03-01,60621009,BMI,27.1,kg/m2\r\n" * 20
    )
    extract = register_file(practice.ods_code, [row(practice.ods_code, i) for i in range(3)]).read()

    def practice_client():
        return MeshClient(sandbox.url, "PRACTICE01", sandbox.password, shared_key=sandbox.shared_key.encode())

    try:
        for i in range(n):
            transfer_queue(
                kind=Transfer.Kind.REGISTER_UPDATE,
                practice=practice,
                content=content,
                filename=f"u{i}.csv",
                key=f"u:{i}",
            )
        with step(f"{n} files out through the outbox"):
            started = time.perf_counter()
            counts = mesh_exchange()
            out = time.perf_counter() - started
        assert counts == {"accepted": n}, counts
        with practice_client() as p:
            for message_id in p.list_messages():
                p.acknowledge_message(message_id)
            for i in range(n):
                p.send_message("JOINEDUP01", extract, workflow_id="JOINEDUP_SMI_EXTRACT", filename=f"x{i}.csv")
        with step(f"{n} register extracts in, imported, outcomes back"):
            started = time.perf_counter()
            counts = mesh_exchange()
            inbound = time.perf_counter() - started
        assert counts.get("in:imported") == n, counts
        with (
            MeshClient(sandbox.url, "JOINEDUP01", sandbox.password, shared_key=sandbox.shared_key.encode()) as us,
            practice_client() as p,
        ):
            for message_id in p.list_messages():
                p.acknowledge_message(message_id)
            with step("baseline: the same sends and reads with the bare client"):
                started = time.perf_counter()
                for i in range(n):
                    us.send_message("PRACTICE01", content.encode(), workflow_id="JOINEDUP_SMI_UPDATE", local_id=f"b{i}")
                bare_out = time.perf_counter() - started
                for _ in range(n):
                    p.send_message("JOINEDUP01", extract, workflow_id="JOINEDUP_SMI_EXTRACT")
                started = time.perf_counter()
                for message_id in us.list_messages():
                    us.retrieve_message(message_id).read()
                    us.acknowledge_message(message_id)
                bare_in = time.perf_counter() - started
    finally:
        sandbox.stop()
    emit(
        {
            "id": "M2",
            "figure": round(n / out, 1),
            "unit": "files/s out",
            "baseline": "bare mesh-client sends of the same files",
            "baseline_figure": round(n / bare_out, 1),
            "ratio": ratio(n / out, n / bare_out),
            "in_per_s": round(n / inbound, 1),
            "bare_in_per_s": round(n / bare_in, 1),
            "in_ratio": ratio(n / inbound, n / bare_in),
            "target": "none set (issue 14 asks for the figures)",
            "size": n,
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1],
        }
    )


if __name__ == "__main__":
    main()
