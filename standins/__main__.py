"""python -m standins: the demo's outside services on loopback — the GOV.UK Notify stand-in and mesh-sandbox.

`python -m standins --prepare` writes var/standins/settings.json (generated keys, the loopback URLs), which the
demo's settings read at start; `python -m standins` then serves both until stopped (honcho runs it from
Procfile.demo). Every practice in the region pack has a MESH mailbox `<ODS code>OT001` in the sandbox, as the
demo data sets them (joinedup/messaging/demo_data.py)."""

import argparse
import csv
import json
import os
import secrets
import signal
import threading
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = Path(os.environ.get("JOINEDUP_VAR_DIR", ROOT / "var")) / "standins"
SETTINGS = VAR / "settings.json"
NOTIFY_PORT, MESH_PORT = 6011, 8700
OUR_MAILBOX = "JOINEDUP01"


def prepare() -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    if SETTINGS.exists():
        return json.loads(SETTINGS.read_text())
    from standins.notify import api_key_for

    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    values = {
        "NOTIFY_SERVICE_ID": service_id,
        "NOTIFY_SECRET": secret,
        "NOTIFY_API_KEY": api_key_for(service_id, secret, name="joinedup_demo"),
        "NOTIFY_BASE_URL": f"http://127.0.0.1:{NOTIFY_PORT}",
        "NOTIFY_CALLBACK_TOKEN": secrets.token_urlsafe(32),
        "MESH_URL": f"http://127.0.0.1:{MESH_PORT}",
        "MESH_MAILBOX": OUR_MAILBOX,
        "MESH_PASSWORD": secrets.token_urlsafe(16),
        "MESH_SHARED_KEY": secrets.token_urlsafe(16),
    }
    SETTINGS.write_text(json.dumps(values, indent=2))
    SETTINGS.chmod(0o600)
    return values


def practice_mailboxes() -> list[str]:
    pack = Path(os.environ.get("JOINEDUP_REGION_PACK", ROOT / "joinedup" / "directory" / "regions" / "lsc"))
    with open(pack / "practices.csv", encoding="utf-8") as f:
        return [f"{row['ods_code']}OT001" for row in csv.DictReader(f)]


def serve(values: dict, web: str) -> None:
    from standins.mesh import MeshSandbox
    from standins.notify import NotifyStandIn

    notify = NotifyStandIn(
        service_id=values["NOTIFY_SERVICE_ID"],
        secret=values["NOTIFY_SECRET"],
        callback_url=f"{web}/messages/notify/callback/",
        callback_token=values["NOTIFY_CALLBACK_TOKEN"],
        port=NOTIFY_PORT,
    ).start()
    mesh = MeshSandbox(
        workdir=VAR / "mesh",
        mailboxes=[OUR_MAILBOX, *practice_mailboxes()],
        port=MESH_PORT,
        password=values["MESH_PASSWORD"],
        shared_key=values["MESH_SHARED_KEY"],
    ).start()
    print(f"Notify stand-in on {notify.url}, mesh-sandbox on {mesh.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    mesh.stop()
    notify.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m standins")
    parser.add_argument("--prepare", action="store_true", help="write var/standins/settings.json and stop")
    parser.add_argument("--web", default="http://127.0.0.1:8000", help="where the demo serves (for callbacks)")
    args = parser.parse_args()
    values = prepare()
    if not args.prepare:
        serve(values, args.web)
